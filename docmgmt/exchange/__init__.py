"""Document exchange with the province (liên thông văn bản).

Two layers. The pure, framework-free parts of the exchange — the edXML message format
of QCVN 102:2016/BTTTT — import neither Flask nor the database, so the web app, the
CLI, the background worker and the province hub (scripts/province_hub.py) all use them:

- ``edxml``       parse_edxml / build_edoc / build_status and the public names
- ``model``       dataclasses mirroring the edXML elements, DocumentId helpers
- ``errors``      EdxmlError with stable codes and Vietnamese messages
- ``safexml``     the hardened XML parser (no DTD, no entities, no network, size limit)
- ``limits``      how much a received message may hold (counts, lengths, depth, sizes),
                  checked while it is read, before any base64 is decoded
- ``attachments`` base64 decoding and safe unzipping of zipped attachments
- ``transport``   how messages travel: the hub over HTTP, or a drop folder
- ``xmlsig``      the enveloped XML signature of a package: sign, verify, trust roots

The parts bound to the application:

- ``models``      correspondents, the outbox, the receipts
- ``operations``  export, import (register, revoke, update, replace, statuses), the
                  statuses we owe senders
- ``receivers``   signal receivers: issued / recalled / incoming changed → outbox
- ``signatures``  the organisation's key signs what the outbox sends; received
                  packages checked against the configured trust roots
- ``delivery``    one pass of the worker: push the outbox, pull and import
- ``settings``    XASO_EXCHANGE_* configuration
- ``controllers`` the exchange page; ``api`` its API; ``cli`` the commands; ``app`` the
                  wiring (signal receivers, template helpers)
"""

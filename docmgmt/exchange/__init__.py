"""Document exchange with the province (liên thông văn bản).

This package holds the pure, framework-free parts of the exchange: the edXML message
format of QCVN 102:2016/BTTTT (``edxml``: parse and build, the message model, safe
attachment handling). It imports neither Flask nor the database, so it can be used from
the web app, the CLI, the background worker and the province hub alike.

Modules:

- ``edxml``       parse_edxml / build_edoc / build_status and the public names
- ``model``       dataclasses mirroring the edXML elements, DocumentId helpers
- ``errors``      EdxmlError with stable codes and Vietnamese messages
- ``safexml``     the hardened XML parser (no DTD, no entities, no network, size limit)
- ``attachments`` base64 decoding and safe unzipping of zipped attachments
"""

"""PDF signing (SPEC §3.2; NĐ30 Điều 13–15 and Phụ lục I §7–8).

A library the outgoing workflow calls, plus ``flask --app docmgmt keys …``:

* ``keys``       — the commune CA, the organisation's and users' certificates
  (ECDSA P-256), private keys encrypted at rest; ``init_keys``, ``ensure_user_key``;
* ``signer``     — the ``Signer`` interface, ``LocalSigner``, ``RemoteSigner`` and the
  issuance steps: ``sign_as_leader`` → ``fill_number`` → ``sign_as_organisation``;
  ``sign_attachment`` for separate attachments;
* ``prepare``    — ``prepare_for_issuance``: the number/date fields and signature places
  (``redact`` takes the draft's blanks out of the page text under those fields);
* ``verify``     — ``verify_pdf``: one ``SignatureReport`` per signature;
* ``remote``     — the VNPT SmartCA / Viettel MySign-shaped client;
* ``appearance``, ``fonts``, ``images`` — what signatures look like (blue signature,
  red seal, Vietnamese text in the embedded document font, see ``typeface``);
* ``base``, ``fill``, ``identity``, ``errors``, ``models``, ``cli`` — the plumbing.

Errors are :class:`~docmgmt.signing.errors.SigningError` with a stable ``code`` and a
Vietnamese ``message_vi``.
"""

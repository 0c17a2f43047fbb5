# The two commands of the README, and a few more for contributors.
.PHONY: run test lint i18n

run:            ## set everything up and serve the demo commune at http://127.0.0.1:5000
	scripts/run

test:           ## set up and run the whole test suite
	scripts/test

lint:
	.venv/bin/ruff check docmgmt meetings search tests scripts
	.venv/bin/mypy

i18n:           ## extract strings and update the English catalogue
	scripts/i18n.sh

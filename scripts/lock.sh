#!/usr/bin/env bash
# Re-pin what .venv holds into requirements.lock, leaving out the model data packages
# (requirements-models.txt, installed with --no-deps) and anything installed from a local file.
set -euo pipefail
models=$(sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/\1/p' requirements-models.txt | paste -sd'|')
.venv/bin/pip freeze --exclude-editable | grep -v '^-e ' | grep -v ' @ file:' | grep -v -i -E "^(${models})==" > requirements.lock
echo "requirements.lock: $(wc -l < requirements.lock) packages"

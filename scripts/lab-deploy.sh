#!/usr/bin/env bash
# lab-deploy.sh — npm run lab:deploy (root): start the lab and deploy the cloud into it.
#   1. lab:up: three Debian hosts on this machine for LAB_RELEASE (default epoxy: Debian 13;
#      zed: Debian 12; or LAB_SUITE=trixie|bookworm), Pulumi.lab.yaml
#   2. the stack's guest image (image.url is file:///root/oslab-images/tiny.qcow2) on alice
#   3. with a Pulumi CLI: local backend, stack "lab", the lab key as a secret, pulumi up.
#      Without one (the project's own test machines): the lab runner, test
#      infrastructure that plays the engine (test/e2e/runner/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "lab:deploy needs root (it starts the lab): sudo npm run lab:deploy" >&2; exit 2; }
LAB_DIR=${LAB_DIR:-/var/tmp/openstack-lab}
key=$LAB_DIR/keys/id_ed25519
# The recommended release unless the caller names one (a running lab keeps its own).
[ -n "${LAB_SUITE:-}" ] || [ -f "$LAB_DIR/suite" ] || export LAB_RELEASE=${LAB_RELEASE:-epoxy}
bash lab/up.sh
controller=$(python3 -c "import json;d=json.load(open('$LAB_DIR/lab.json'));print([h['managementIp'] for h in d['hosts'] if h['role']=='controller'][0])")
bash test/e2e/tiny-image.sh "$LAB_DIR/images"
ssh_opts=(-i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes)
ssh "${ssh_opts[@]}" "root@$controller" "mkdir -p /root/oslab-images"
scp -q "${ssh_opts[@]}" "$LAB_DIR/images/tiny.qcow2" "root@$controller:/root/oslab-images/tiny.qcow2"
if command -v pulumi >/dev/null 2>&1; then
  pulumi whoami >/dev/null 2>&1 || pulumi login --local
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-}
  pulumi stack select lab 2>/dev/null || pulumi stack init lab
  pulumi config set --secret --stack lab openstack-lab:sshPrivateKey < "$key"
  pulumi up --stack lab --yes
else
  echo "lab:deploy: no pulumi CLI on PATH; deploying with the lab runner (test infrastructure)."
  npx ts-node --transpile-only test/e2e/runner/cli.ts up --stack-file Pulumi.lab.yaml \
    --secret "sshPrivateKey=@$key" --state "$LAB_DIR/e2e/lab.json"
fi

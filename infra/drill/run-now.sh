#!/usr/bin/env bash
# Run the production restore drill now and print its verdict as the deploy gate sees it.
# usage: infra/drill/run-now.sh <region> <drill_record_bucket>
set -euo pipefail
region=${1:?usage: run-now.sh <region> <drill_record_bucket>}
bucket=${2:?usage: run-now.sh <region> <drill_record_bucket>}
status=0
gcloud run jobs execute draxis-restore-drill --region "$region" --wait || status=$?
record=$(mktemp)
trap 'rm -f "$record"' EXIT
gcloud storage cat "gs://$bucket/restore-drill/latest.json" > "$record" || true
cd "$(dirname "$0")/../.."
python3 -m draxis.drill.gate "$record" || status=$?
exit "$status"

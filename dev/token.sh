#!/usr/bin/env bash
# Prints a bearer token for calling a locally running genledger (dev profile only: it is signed
# with the dev key pair in dev/jwt, which only the dev and test profiles trust).
#   dev/token.sh service            a trusted app backend (any user)
#   dev/token.sh admin              operations (/v1/admin/*)
#   dev/token.sh user <user-id>     an end user (only their own data)
set -euo pipefail
role=${1:-service}
case "$role" in
  service|admin) sub=${2:-local-$role} ;;
  user) sub=${2:?usage: dev/token.sh user <user-id>} ;;
  *) echo "usage: dev/token.sh service|admin|user <user-id>" >&2; exit 2 ;;
esac
dir=$(cd "$(dirname "$0")" && pwd)
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"https://genledger.dev/local","sub":"%s","upn":"%s","groups":["%s"],"iat":%d,"exp":%d}' \
  "$sub" "$sub" "$role" "$now" $((now + 86400)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$dir/jwt/privateKey.pem" | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"

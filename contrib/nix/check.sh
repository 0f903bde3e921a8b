#!/usr/bin/env bash
# What CI can check of contrib/nix without nixpkgs (which it cannot fetch):
#   1. `nix-instantiate --parse` on every contrib/nix/*.nix: the syntax, and every variable not
#      under a `with` bound somewhere. Stops at the first file that fails.
#   2. one pure evaluation (builtins only, no nixpkgs): the webhook hooks that common.nix
#      generates equal contrib/webhook/hooks.json apart from the command's path and the working
#      directory (both Go templates there, plain values in Nix, which runs webhook without -template).
# Nothing here builds the package or evaluates the modules against nixpkgs.
#
# Needs nix-instantiate (Debian: apt-get install --no-install-recommends nix-bin). The dummy
# store keeps Nix from opening or creating /nix/var, so this runs as any user.
set -euo pipefail

if ! command -v nix-instantiate >/dev/null 2>&1; then
  echo "contrib/nix/check.sh: nix-instantiate not found; install it (Debian: apt-get install --no-install-recommends nix-bin)" >&2
  exit 69  # EX_UNAVAILABLE
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

nix_quiet() {
  # Nix warns on stderr when nix.conf names a build group that does not exist (Debian's nix-bin
  # without nix-setup-systemd); that is noise here. Everything else is shown on failure.
  local output status=0
  output=$(nix-instantiate --store dummy:// "$@" 2>&1 >/dev/null) || status=$?
  if (( status != 0 )); then
    grep -v "build-users-group" <<<"$output" >&2 || true
  fi
  return "$status"
}

shopt -s nullglob
files=("$here"/*.nix)
if (( ${#files[@]} == 0 )); then
  echo "contrib/nix/check.sh: no .nix files in $here" >&2
  exit 1
fi

for file in "${files[@]}"; do
  if ! nix_quiet --parse "$file"; then
    echo "contrib/nix/check.sh: FAILED: nix-instantiate --parse ${file#"$here"/}" >&2
    exit 1
  fi
  echo "parse ok: ${file#"$here"/}"
done

hooks_equal='
  let
    common = import '"$here"'/common.nix { lib = { }; };
    original = builtins.fromJSON (builtins.readFile '"$here"'/../webhook/hooks.json);
    templated = hooks: map (hook: removeAttrs hook [ "command-working-directory" ]) hooks;
  in
    templated (common.hooks (builtins.head original).execute-command) == templated original'
if [[ $(nix-instantiate --store dummy:// --eval -E "$hooks_equal" 2>/dev/null) != true ]]; then
  nix_quiet --eval -E "$hooks_equal" || true
  echo "contrib/nix/check.sh: FAILED: common.nix's hooks differ from contrib/webhook/hooks.json" >&2
  exit 1
fi
echo "eval ok: common.nix hooks == contrib/webhook/hooks.json (but for the command path and working directory)"

echo "contrib/nix/check.sh: ${#files[@]} files parse; not built or evaluated against nixpkgs"

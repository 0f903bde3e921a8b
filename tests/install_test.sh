#!/usr/bin/env bash
# cmake --install into a temporary prefix and into a scratch root (DESTDIR), run --version from
# there, and check the installed systemd units with systemd-analyze verify.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build" --prefix "$scratch/prefix" > /dev/null
"$scratch/prefix/bin/vikunja-enqueue" --version | grep -q '^vikunja-enqueue '
"$scratch/prefix/bin/vikunja-worker" --version | grep -q '^vikunja-worker '
grep -qx "ExecStart=$scratch/prefix/bin/vikunja-worker run" "$scratch/prefix/lib/systemd/user/vikunja-sync-worker.service"
grep -qx "ExecStart=$scratch/prefix/bin/vikunja-worker reconcile" "$scratch/prefix/lib/systemd/user/vikunja-sync-reconcile.service"
grep -q "$scratch/prefix/bin/vikunja-enqueue" "$scratch/prefix/share/vikunja-sync/webhook/hooks.json"
# The receiver logs each refused delivery (a wrong secret) only with -verbose.
grep -q "^ExecStart=/usr/bin/webhook -verbose " "$scratch/prefix/lib/systemd/user/vikunja-sync-webhook.service"
test -f "$scratch/prefix/share/doc/vikunja-sync/README.md"
test -f "$scratch/prefix/share/doc/vikunja-sync/copyright"

# Stripped, as CPack installs for the .deb (CPACK_STRIP_FILES): no symbol table, no debug info.
DESTDIR="$scratch/root" cmake --install "$build" --prefix /usr --strip > /dev/null
"$scratch/root/usr/bin/vikunja-enqueue" --version | grep -q '^vikunja-enqueue '
# grep without -q reads all of readelf's output: an early exit would SIGPIPE readelf and, under
# pipefail, hide the match.
for binary in vikunja-enqueue vikunja-worker; do
  if readelf --section-headers "$scratch/root/usr/bin/$binary" | grep -E '\.(symtab|debug_info)' > /dev/null; then
    echo "install_test: $binary is not stripped by cmake --install --strip" >&2
    exit 1
  fi
done
grep -qx "ExecStart=/usr/bin/vikunja-worker drain" "$scratch/root/usr/lib/systemd/user/vikunja-sync-drain.service"

if command -v systemd-analyze > /dev/null; then
  # Verified where ExecStart= points at an existing binary: the prefix install.
  systemd-analyze verify "$scratch"/prefix/lib/systemd/user/vikunja-sync-*.{service,timer}
else
  echo "install_test: systemd-analyze not found; units not verified"
fi
echo "install_test: ok"

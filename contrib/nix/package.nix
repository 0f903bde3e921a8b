# vikunja-sync from this checkout, for callPackage:
#   pkgs.callPackage ./contrib/nix/package.nix { }
# Installs what `cmake --install` installs: bin/vikunja-enqueue, bin/vikunja-worker, the systemd
# user units in lib/systemd/user, share/vikunja-sync/webhook/hooks.json and share/doc/vikunja-sync.
#
# These files are syntax-checked only (nix-instantiate --parse); see README.md here.
{ lib
, stdenv
, cmake
, pkg-config
, sqlitecpp
, sqlite
, nlohmann_json
, fmt
, curl
, openssl
, systemd
, libuuid
, libxml2
  # Only for the test suite (withTests):
, catch2
, httplib
, runCommand
, taskwarrior2 ? null
, taskwarrior ? null
, webhook
  # Build and run the test suite. Off by default: the tests expect /usr/bin/webhook and
  # /bin/false and Debian's pkg-config name cpp-httplib, so they are not expected to pass in
  # the Nix sandbox as they stand.
, withTests ? false
  # Link libcrypto statically into vikunja-enqueue, as the Debian build does (README
  # "Performance"). nixpkgs' openssl ships no libcrypto.a, so this builds openssl with
  # `static = true`; off by default, which links the shared libcrypto instead.
, staticOpenssl ? false
}:

let
  # The version from project(vikunja-sync VERSION x.y.z) in the top CMakeLists.txt.
  cmakeLines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile ../../CMakeLists.txt));
  versionMatches = builtins.filter (m: m != null)
    (map (builtins.match "project\\(vikunja-sync VERSION ([0-9.]+).*") cmakeLines);
  version = builtins.head (builtins.head versionMatches);

  crypto = if staticOpenssl then openssl.override { static = true; } else openssl;

  taskForTests = if taskwarrior2 != null then taskwarrior2 else taskwarrior;

  # Debian names cpp-httplib's pkg-config module cpp-httplib (tests/CMakeLists.txt asks for
  # that); nixpkgs' httplib installs it as httplib.
  httplibPcAlias = runCommand "cpp-httplib-pc-alias" { } ''
    mkdir -p $out/lib/pkgconfig
    cat > $out/lib/pkgconfig/cpp-httplib.pc <<EOF
    Name: cpp-httplib
    Description: nixpkgs httplib under the name Debian gives it
    Version: ${httplib.version}
    Requires: httplib
    EOF
  '';
in
stdenv.mkDerivation {
  pname = "vikunja-sync";
  inherit version;

  # The sources CMake reads, without build directories or these Nix files (so that editing them
  # does not rebuild the package).
  src = lib.fileset.toSource {
    root = ../..;
    fileset = lib.fileset.unions ([
      ../../CMakeLists.txt
      ../../README.md
      ../../cmake
      ../../schema
      ../../shared
      ../../enqueue
      ../../worker
      ../../bench
      (lib.fileset.difference ../../contrib ./.)
    ] ++ lib.optionals withTests [ ../../tests ../../docs ]);
  };

  strictDeps = true;

  nativeBuildInputs = [ cmake pkg-config ];

  buildInputs = [
    sqlitecpp
    sqlite
    nlohmann_json
    fmt
    curl
    crypto
    libuuid
    libxml2
  ];

  checkInputs = lib.optionals withTests [ catch2 httplib httplibPcAlias ];
  nativeCheckInputs = lib.optionals withTests [ taskForTests webhook sqlite curl openssl systemd ];

  # The cmake setup hook rewrites "/usr" in CMake files to "/var/empty"; contrib/CMakeLists.txt
  # looks for the string "/usr/local/bin/vikunja-enqueue" in hooks.json to replace it, and would
  # no longer find it.
  dontFixCmake = true;

  cmakeFlags = [
    "-DBUILD_TESTING=${if withTests then "ON" else "OFF"}"
    # The cmake setup hook passes absolute CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_DOCDIR;
    # contrib/ writes "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}" into the units and
    # hooks.json, which would double the prefix. Relative directories, as GNUInstallDirs' defaults.
    "-DCMAKE_INSTALL_BINDIR=bin"
    "-DCMAKE_INSTALL_DOCDIR=share/doc/vikunja-sync"
    "-DCMAKE_INSTALL_DATADIR=share"
  ] ++ lib.optionals (!staticOpenssl) [
    # The top CMakeLists.txt sets OPENSSL_USE_STATIC_LIBS unconditionally, so FindOpenSSL would
    # look for libcrypto.a only. A preset OPENSSL_CRYPTO_LIBRARY is used as given (find_library
    # does not search again), which links the shared libcrypto.
    "-DOPENSSL_CRYPTO_LIBRARY=${lib.getLib crypto}/lib/libcrypto${stdenv.hostPlatform.extensions.sharedLibrary}"
    "-DOPENSSL_INCLUDE_DIR=${lib.getDev crypto}/include"
  ];

  doCheck = withTests;

  # What tests/install_test.sh checks, on the installed output: the binaries run, and the units
  # and hooks.json name them by their store paths.
  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    $out/bin/vikunja-enqueue --version | grep -q '^vikunja-enqueue '
    $out/bin/vikunja-worker --version | grep -q '^vikunja-worker '
    grep -qx "ExecStart=$out/bin/vikunja-worker run" $out/lib/systemd/user/vikunja-sync-worker.service
    grep -qx "ExecStart=$out/bin/vikunja-worker drain" $out/lib/systemd/user/vikunja-sync-drain.service
    grep -qx "ExecStart=$out/bin/vikunja-worker reconcile" $out/lib/systemd/user/vikunja-sync-reconcile.service
    grep -q "$out/bin/vikunja-enqueue" $out/share/vikunja-sync/webhook/hooks.json
    test -f $out/share/doc/vikunja-sync/env.example
    runHook postInstallCheck
  '';

  meta = {
    description = "Taskwarrior <-> Vikunja sync through a durable SQLite retry queue";
    longDescription = ''
      vikunja-enqueue (Taskwarrior hooks, webhook handler) writes jobs into a SQLite queue and
      never touches the network; vikunja-worker drains it to Vikunja and Taskwarrior, with
      backoff, a circuit breaker, a three-way merge and a periodic reconcile.
    '';
    mainProgram = "vikunja-worker";
    platforms = lib.platforms.linux;
  };
}

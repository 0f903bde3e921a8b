# What the NixOS module (nixos-module.nix) and the home-manager module (home-manager.nix) share:
# the option types, the webhook handler's hooks.json, the unit settings copied from
# contrib/systemd/*.service and the checks on `settings`. Not a module itself:
#   common = import ./common.nix { inherit lib; };
{ lib }:

let
  inherit (lib) mkOption types;
in
rec {
  # The values of `settings`: strings, integers or paths. No floats: Nix prints 0.5 as
  # "0.500000"; write durations as strings ("0.5").
  settingsType = types.attrsOf (types.oneOf [ types.str types.int types.path ]);

  # Variables that must never be in `settings`: the unit's Environment= ends up in the
  # world-readable Nix store. Their *_FILE forms, or the environment file, are the place.
  secretVariables = [ "VIKUNJA_API_TOKEN" "VIKUNJA_WEBHOOK_SECRET" ];

  secretAssertions = owner: settings:
    map (name: {
      assertion = !(settings ? ${name});
      message = "${owner}.settings.${name}: a secret in `settings` would be copied into the world-readable Nix store; "
        + "put it in the environment file, or use ${name}_FILE.";
    }) secretVariables;

  renderSettings = settings: lib.mapAttrs (_: toString) settings;

  # The options both modules declare the same way. `defaults` supplies what differs
  # (the package default, the Taskwarrior package default, the data location default).
  sharedOptions = { pkgs, defaults }: {
    package = mkOption {
      type = types.package;
      default = defaults.package;
      defaultText = lib.literalExpression "pkgs.vikunja-sync or (pkgs.callPackage ./package.nix { })";
      description = "The vikunja-sync package (vikunja-enqueue and vikunja-worker).";
    };

    taskPackage = mkOption {
      type = types.package;
      default = defaults.taskPackage;
      defaultText = lib.literalExpression defaults.taskPackageText;
      description = ''
        The Taskwarrior the worker runs (VIKUNJA_SYNC_TASK_BIN). It must be the `task` you use
        interactively, or at least read the same data. vikunja-sync is tested with Taskwarrior 2.6.
      '';
    };

    environmentFile = mkOption {
      type = types.nullOr types.path;
      default = defaults.environmentFile;
      example = "/run/secrets/vikunja-sync.env";
      description = ''
        A systemd EnvironmentFile= with the secrets and anything else not in `settings`:
        VIKUNJA_URL, VIKUNJA_API_TOKEN (or VIKUNJA_API_TOKEN_FILE), VIKUNJA_WEBHOOK_SECRET (or
        VIKUNJA_WEBHOOK_SECRET_FILE), … (contrib/env.example). Give it as a string so that it is
        not copied into the Nix store. Its values override `settings`.
      '';
    };

    settings = mkOption {
      type = settingsType;
      default = { };
      example = lib.literalExpression ''
        {
          VIKUNJA_URL = "https://vikunja.example.com";
          VIKUNJA_DEFAULT_PROJECT = "inbox";
          VIKUNJA_SYNC_CONFLICT = "newest";
          VIKUNJA_SYNC_LOG_LEVEL = "info";
          VIKUNJA_SYNC_HTTP_TIMEOUT = 30;
        }
      '';
      description = ''
        Non-secret configuration (README "Configuration"), rendered into the units' Environment=.
        These end up in the Nix store: never put VIKUNJA_API_TOKEN or VIKUNJA_WEBHOOK_SECRET here
        (an assertion refuses them). The Taskwarrior hooks run from your shell, not from these
        units, so they do not see these variables: leave the queue path (VIKUNJA_SYNC_DB) at its
        default unless your session sets it too.
      '';
    };

    mode = mkOption {
      type = types.enum [ "service" "timer" ];
      default = "service";
      description = ''
        "service": `vikunja-worker run` stays resident (Type=notify, WatchdogSec=5min) and syncs
        within milliseconds of a change. "timer": nothing resident; `vikunja-worker drain` runs
        every `drainInterval`.
      '';
    };

    drainInterval = mkOption {
      type = types.str;
      default = "1min";
      description = "How often the drain timer runs (mode = \"timer\"): a systemd time span.";
    };

    reconcile = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Run `vikunja-worker reconcile` from a timer: the safety net for lost webhooks and `task sync`.";
      };
      interval = mkOption {
        type = types.str;
        default = "1h";
        description = "How often reconcile runs: a systemd time span (OnUnitActiveSec=).";
      };
    };

    installHooks = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Link `on-add-vikunja` and `on-modify-vikunja` in Taskwarrior's hooks directory
        (`dataLocation`/hooks) to vikunja-enqueue. A different file already there is never replaced.
      '';
    };

    dataLocation = mkOption {
      type = types.nullOr types.str;
      default = defaults.dataLocation;
      defaultText = lib.literalExpression defaults.dataLocationText;
      example = "/home/alice/.local/share/task";
      description = ''
        Taskwarrior's data directory, if not ~/.task. The hooks go into its `hooks/`
        subdirectory, and the units get TASKDATA set to it. It must be the directory your
        taskrc's data.location names (Taskwarrior reads its hooks from data.location/hooks unless
        hooks.location is set). null: ~/.task, and TASKDATA is not set.
      '';
    };

    webhook = {
      enable = mkOption {
        type = types.bool;
        default = false;
        description = ''
          Run adnanh/webhook as the receiver for Vikunja's webhooks: POST
          http://ADDRESS:PORT/hooks/vikunja, handed to `vikunja-enqueue webhook`.
        '';
      };
      package = mkOption {
        type = types.package;
        default = pkgs.webhook;
        defaultText = lib.literalExpression "pkgs.webhook";
        description = "The adnanh/webhook package.";
      };
      address = mkOption {
        type = types.str;
        default = "127.0.0.1";
        description = "Address the receiver listens on (webhook -ip). Put a TLS reverse proxy in front for anything but loopback.";
      };
      port = mkOption {
        type = types.port;
        default = 9000;
        description = "Port the receiver listens on (webhook -port).";
      };
      extraArgs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "-verbose" ];
        description = "More arguments for the webhook binary.";
      };
    };
  };

  # contrib/webhook/hooks.json with `enqueue` (a store path) instead of the Go template that
  # falls back to /usr/local/bin/vikunja-enqueue, so the receiver runs without -template.
  # The raw body goes through a file (VIKUNJA_WEBHOOK_BODY), the signature header as --signature;
  # the receiver answers 200 when the job is queued, 500 otherwise (retried by Vikunja since v2.3).
  hooks = enqueue: [
    {
      id = "vikunja";
      execute-command = enqueue;
      # webhook writes the body file there: somewhere the receiver's user can write.
      command-working-directory = "/tmp";
      http-methods = [ "POST" ];
      pass-file-to-command = [
        { source = "raw-request-body"; envname = "VIKUNJA_WEBHOOK_BODY"; }
      ];
      pass-arguments-to-command = [
        { source = "string"; name = "webhook"; }
        { source = "string"; name = "--input-env"; }
        { source = "string"; name = "VIKUNJA_WEBHOOK_BODY"; }
        { source = "string"; name = "--signature"; }
        { source = "header"; name = "X-Vikunja-Signature"; }
      ];
      include-command-output-in-response = true;
      include-command-output-in-response-on-error = true;
    }
  ];

  hooksFile = pkgs: enqueue: pkgs.writeText "vikunja-sync-hooks.json" (builtins.toJSON (hooks enqueue));

  # ExecStart= of the receiver. Only extraArgs can hold characters that need quoting (systemd
  # understands shell-style single quotes).
  webhookCommand = cfg: hooksJson:
    "${cfg.webhook.package}/bin/webhook -verbose -hooks ${hooksJson} -ip ${cfg.webhook.address} -port ${toString cfg.webhook.port}"
    + lib.concatMapStrings (arg: " " + lib.escapeShellArg arg) cfg.webhook.extraArgs;

  # The hardening of contrib/systemd/*.service.
  hardening = {
    NoNewPrivileges = "yes";
    LockPersonality = "yes";
    RestrictSUIDSGID = "yes";
    ProtectSystem = "full";
  };

  # [Service] of vikunja-sync-worker.service, without ExecStart/EnvironmentFile/StateDirectory.
  workerService = {
    Type = "notify";
    Restart = "on-failure";
    RestartSec = "10s";
    # A configuration error (exit 78) will not fix itself by restarting.
    RestartPreventExitStatus = "78";
    WatchdogSec = "5min";
    TimeoutStopSec = "90s";
  };

  # [Service] of vikunja-sync-reconcile.service: a paused target or an unreachable server
  # (exit 75) is the next run's business.
  reconcileService = {
    Type = "oneshot";
    SuccessExitStatus = "75";
  };

  drainTimer = interval: {
    OnBootSec = "1min";
    OnUnitActiveSec = interval;
    AccuracySec = "10s";
  };

  reconcileTimer = interval: {
    OnBootSec = "5min";
    OnUnitActiveSec = interval;
    RandomizedDelaySec = "5min";
  };
}

# home-manager module: services.vikunja-sync for one user, with systemd user units (the ones in
# contrib/systemd, with store paths), the environment file, the Taskwarrior hooks and,
# optionally, the webhook receiver.
#
#   imports = [ /path/to/vikunja-sync/contrib/nix/home-manager.nix ];
#   services.vikunja-sync = {
#     enable = true;
#     settings.VIKUNJA_URL = "https://vikunja.example.com";
#     # environmentFile defaults to ~/.config/vikunja-sync/env (VIKUNJA_API_TOKEN=… in there)
#   };
#
# User units run only while the user's systemd instance does: `loginctl enable-linger USER` keeps
# the worker running while logged out (or use the NixOS module, which runs system units).
#
# These files are syntax-checked only (nix-instantiate --parse); see README.md here.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.vikunja-sync;
  common = import ./common.nix { inherit lib; };
  inherit (lib) mkIf mkOption mkEnableOption types optional optionalAttrs;

  defaultEnvironmentFile = "${config.xdg.configHome}/vikunja-sync/env";
  hooksDir = "${if cfg.dataLocation != null then cfg.dataLocation else "${config.home.homeDirectory}/.task"}/hooks";
  enqueue = "${cfg.package}/bin/vikunja-enqueue";
  docs = "file://${cfg.package}/share/doc/vikunja-sync/README.md";

  environment =
    { VIKUNJA_SYNC_TASK_BIN = "${cfg.taskPackage}/bin/task"; }
    // optionalAttrs (cfg.dataLocation != null) { TASKDATA = cfg.dataLocation; }
    # The hooks run from the shell, which has XDG_STATE_HOME when xdg.enable is on: the units
    # must compute the same default queue path.
    // optionalAttrs config.xdg.enable { XDG_STATE_HOME = config.xdg.stateHome; }
    # The binaries read $VIKUNJA_SYNC_ENV_FILE (default ~/.config/vikunja-sync/env) themselves,
    # so `vikunja-worker status` and the hooks see what the units see.
    // optionalAttrs (cfg.environmentFile != null && toString cfg.environmentFile != defaultEnvironmentFile)
      { VIKUNJA_SYNC_ENV_FILE = toString cfg.environmentFile; }
    // common.renderSettings cfg.settings;

  # Environment= lines: quoted, with systemd's escapes (\ and " inside quotes, % for specifiers).
  environmentLines = lib.mapAttrsToList
    (name: value:
      let escaped = lib.replaceStrings [ "\\" "\"" "%" ] [ "\\\\" "\\\"" "%%" ] value;
      in "\"${name}=${escaped}\"")
    environment;

  # [Service] of every unit here: contrib/systemd/*.service's EnvironmentFile=, hardening and
  # StateDirectory= (~/.local/state/vikunja-sync, 0700; in a user unit that is the queue's
  # directory).
  serviceBase = common.hardening // {
    Environment = environmentLines;
    StateDirectory = "vikunja-sync";
    StateDirectoryMode = "0700";
  } // optionalAttrs (cfg.environmentFile != null) {
    # "-": the file may not exist yet, as in contrib/systemd.
    EnvironmentFile = "-${toString cfg.environmentFile}";
  };

  unit = description: {
    Description = description;
    Documentation = docs;
  };
in
{
  # recursiveUpdate, not //: nothing is added to the shared options today, but the NixOS module
  # does the same and a shallow merge would silently drop shared sub-options.
  options.services.vikunja-sync = lib.recursiveUpdate (common.sharedOptions {
    inherit pkgs;
    defaults = {
      package = pkgs.vikunja-sync or (pkgs.callPackage ./package.nix { });
      # programs.taskwarrior's package when that module is on (older home-manager has no
      # `package` option and installs pkgs.taskwarrior), else Taskwarrior 2.6.
      taskPackage =
        if config.programs.taskwarrior.enable
        then config.programs.taskwarrior.package or pkgs.taskwarrior
        else pkgs.taskwarrior2 or pkgs.taskwarrior;
      taskPackageText = "if config.programs.taskwarrior.enable then config.programs.taskwarrior.package else pkgs.taskwarrior2";
      environmentFile = defaultEnvironmentFile;
      dataLocation = if config.programs.taskwarrior.enable then config.programs.taskwarrior.dataLocation else null;
      dataLocationText = "if config.programs.taskwarrior.enable then config.programs.taskwarrior.dataLocation else null";
    };
  }) {
    enable = mkEnableOption "vikunja-sync, Taskwarrior <-> Vikunja through a durable queue";
  };

  config = mkIf cfg.enable {
    assertions = common.secretAssertions "services.vikunja-sync" cfg.settings;

    warnings = optional (cfg.settings ? VIKUNJA_SYNC_DB)
      "services.vikunja-sync.settings.VIKUNJA_SYNC_DB is exported to your session (home.sessionVariables) for the Taskwarrior hooks; it takes effect at your next login.";

    home.packages = [ cfg.package ];

    # The hooks run inside `task` from your shell: give them the queue path the units use.
    home.sessionVariables =
      optionalAttrs (cfg.settings ? VIKUNJA_SYNC_DB) { VIKUNJA_SYNC_DB = toString cfg.settings.VIKUNJA_SYNC_DB; }
      // optionalAttrs (environment ? VIKUNJA_SYNC_ENV_FILE) { inherit (environment) VIKUNJA_SYNC_ENV_FILE; };

    # What `vikunja-enqueue install-hooks` does, through home-manager's links (kept alive by the
    # generation, updated with the package). home-manager refuses to replace a file it does not
    # manage, so a hook of your own with the same name is never overwritten.
    home.file = mkIf cfg.installHooks {
      "${hooksDir}/on-add-vikunja".source = enqueue;
      "${hooksDir}/on-modify-vikunja".source = enqueue;
    };

    systemd.user.services = lib.mkMerge [
      (mkIf (cfg.mode == "service") {
        # contrib/systemd/vikunja-sync-worker.service
        vikunja-sync-worker = {
          Unit = unit "vikunja-sync worker: Taskwarrior <-> Vikunja queue";
          Service = serviceBase // common.workerService // {
            ExecStart = "${cfg.package}/bin/vikunja-worker run";
          };
          Install.WantedBy = [ "default.target" ];
        };
      })

      (mkIf (cfg.mode == "timer") {
        # contrib/systemd/vikunja-sync-drain.service
        vikunja-sync-drain = {
          Unit = unit "vikunja-sync: drain the queue once";
          Service = serviceBase // {
            Type = "oneshot";
            ExecStart = "${cfg.package}/bin/vikunja-worker drain";
          };
        };
      })

      (mkIf cfg.reconcile.enable {
        # contrib/systemd/vikunja-sync-reconcile.service
        vikunja-sync-reconcile = {
          Unit = unit "vikunja-sync: compare Taskwarrior and Vikunja and queue what differs";
          Service = serviceBase // common.reconcileService // {
            ExecStart = "${cfg.package}/bin/vikunja-worker reconcile";
          };
        };
      })

      (mkIf cfg.webhook.enable {
        # adnanh/webhook with contrib/webhook/hooks.json; vikunja-enqueue inherits its
        # environment (VIKUNJA_WEBHOOK_SECRET[_FILE] from the environment file).
        vikunja-sync-webhook = {
          Unit = unit "vikunja-sync: Vikunja webhook receiver (adnanh/webhook)";
          Service = serviceBase // {
            ExecStart = common.webhookCommand cfg (common.hooksFile pkgs enqueue);
            Restart = "on-failure";
            RestartSec = "5s";
          };
          Install.WantedBy = [ "default.target" ];
        };
      })
    ];

    systemd.user.timers = lib.mkMerge [
      (mkIf (cfg.mode == "timer") {
        # contrib/systemd/vikunja-sync-drain.timer
        vikunja-sync-drain = {
          Unit.Description = "vikunja-sync: drain the queue every ${cfg.drainInterval}";
          Timer = common.drainTimer cfg.drainInterval;
          Install.WantedBy = [ "timers.target" ];
        };
      })
      (mkIf cfg.reconcile.enable {
        # contrib/systemd/vikunja-sync-reconcile.timer
        vikunja-sync-reconcile = {
          Unit.Description = "vikunja-sync: reconcile every ${cfg.reconcile.interval}";
          Timer = common.reconcileTimer cfg.reconcile.interval;
          Install.WantedBy = [ "timers.target" ];
        };
      })
    ];
  };
}

# NixOS module: services.vikunja-sync keeps one user's Taskwarrior in sync with Vikunja.
#
#   imports = [ /path/to/vikunja-sync/contrib/nix/nixos-module.nix ];
#   services.vikunja-sync = {
#     enable = true;
#     user = "alice";
#     environmentFile = "/run/secrets/vikunja-sync.env";   # VIKUNJA_URL, VIKUNJA_API_TOKEN, …
#     webhook.enable = true;
#   };
#
# System units with User=, not systemd.user.services. NixOS user units are installed for every
# user (they would need ConditionUser= and `loginctl enable-linger`); system units bound to one
# user run from boot without a login session, and systemd reads EnvironmentFile= and
# LoadCredential= as root before dropping to the user, so the secrets can stay root-only
# (sops-nix/agenix defaults). systemd sets HOME for User=, so the worker, the webhook receiver
# and the Taskwarrior hooks (run by `task` in the user's shell) all open the same default queue,
# ~/.local/state/vikunja-sync/queue.db. That is also why there is no StateDirectory= here (it
# would be /var/lib/vikunja-sync, which the hooks do not use): the binaries create the queue's
# directory 0700 themselves, and ProtectHome= stays off, as in contrib/systemd/*.service.
#
# These files are syntax-checked only (nix-instantiate --parse); see README.md here.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.vikunja-sync;
  common = import ./common.nix { inherit lib; };
  inherit (lib) mkIf mkOption mkEnableOption types optional optionalAttrs;

  home = config.users.users.${cfg.user}.home or "/home/${cfg.user}";
  hooksDir = "${if cfg.dataLocation != null then cfg.dataLocation else "${home}/.task"}/hooks";
  docs = "file://${cfg.package}/share/doc/vikunja-sync/README.md";

  # The hooks link here rather than into the store: the link survives package updates and
  # garbage collection (the package is in environment.systemPackages below).
  stableEnqueue = "/run/current-system/sw/bin/vikunja-enqueue";

  baseEnvironment =
    { VIKUNJA_SYNC_TASK_BIN = "${cfg.taskPackage}/bin/task"; }
    // optionalAttrs (cfg.dataLocation != null) { TASKDATA = cfg.dataLocation; }
    // common.renderSettings cfg.settings;

  # %d is the unit's credentials directory ($CREDENTIALS_DIRECTORY), readable by the user.
  workerEnvironment = baseEnvironment
    // optionalAttrs (cfg.apiTokenFile != null) { VIKUNJA_API_TOKEN_FILE = "%d/vikunja-api-token"; };
  webhookEnvironment = baseEnvironment
    // optionalAttrs (cfg.webhook.secretFile != null) { VIKUNJA_WEBHOOK_SECRET_FILE = "%d/vikunja-webhook-secret"; };

  environmentFiles = optional (cfg.environmentFile != null) (toString cfg.environmentFile);

  workerCredentials = optional (cfg.apiTokenFile != null) "vikunja-api-token:${toString cfg.apiTokenFile}";
  webhookCredentials = optional (cfg.webhook.secretFile != null) "vikunja-webhook-secret:${toString cfg.webhook.secretFile}";

  # What every worker unit has: the user, the secrets, the hardening of contrib/systemd.
  workerUnit = { description, serviceConfig, wantedBy ? [ ] }: {
    inherit description wantedBy;
    documentation = [ docs ];
    wants = [ "network-online.target" ];
    after = [ "network-online.target" ];
    environment = workerEnvironment;
    # `task` runs other hooks the user may have; give them the same Taskwarrior.
    path = [ cfg.taskPackage ];
    serviceConfig = common.hardening // {
      User = cfg.user;
      EnvironmentFile = environmentFiles;
      LoadCredential = workerCredentials;
    } // serviceConfig;
  };
in
{
  # recursiveUpdate, not //: this module adds to the shared `webhook` options.
  options.services.vikunja-sync = lib.recursiveUpdate (common.sharedOptions {
    inherit pkgs;
    defaults = {
      package = pkgs.vikunja-sync or (pkgs.callPackage ./package.nix { });
      taskPackage = pkgs.taskwarrior2 or pkgs.taskwarrior;
      taskPackageText = "pkgs.taskwarrior2 or pkgs.taskwarrior";
      environmentFile = null;
      dataLocation = null;
      dataLocationText = "null";
    };
  }) {
    enable = mkEnableOption "vikunja-sync, Taskwarrior <-> Vikunja through a durable queue";

    user = mkOption {
      type = types.str;
      example = "alice";
      description = ''
        The user whose Taskwarrior is synced. The units run as this user, with its HOME; the
        queue is ~/.local/state/vikunja-sync/queue.db unless VIKUNJA_SYNC_DB says otherwise.
      '';
    };

    apiTokenFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/run/secrets/vikunja-api-token";
      description = ''
        A file holding the Vikunja API token, read by systemd as root (LoadCredential=) and handed
        to the worker as VIKUNJA_API_TOKEN_FILE. It can be root-only. Alternative to putting
        VIKUNJA_API_TOKEN or VIKUNJA_API_TOKEN_FILE in `environmentFile` (where a *_FILE must be
        readable by `user`).
      '';
    };

    webhook = {
      secretFile = mkOption {
        type = types.nullOr types.path;
        default = null;
        example = "/run/secrets/vikunja-webhook-secret";
        description = ''
          A file holding the webhook secret you gave Vikunja, read by systemd as root
          (LoadCredential=) and handed to vikunja-enqueue as VIKUNJA_WEBHOOK_SECRET_FILE. Without
          it (or VIKUNJA_WEBHOOK_SECRET[_FILE] in `environmentFile`) unsigned webhooks are queued.
        '';
      };
      openFirewall = mkOption {
        type = types.bool;
        default = false;
        description = "Open webhook.port in the firewall.";
      };
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = config.users.users ? ${cfg.user};
        message = "services.vikunja-sync.user: no user \"${cfg.user}\" in users.users.";
      }
      {
        assertion = !(cfg.apiTokenFile != null && cfg.settings ? VIKUNJA_API_TOKEN_FILE);
        message = "services.vikunja-sync: set apiTokenFile or settings.VIKUNJA_API_TOKEN_FILE, not both.";
      }
      {
        assertion = !(cfg.webhook.secretFile != null && cfg.settings ? VIKUNJA_WEBHOOK_SECRET_FILE);
        message = "services.vikunja-sync: set webhook.secretFile or settings.VIKUNJA_WEBHOOK_SECRET_FILE, not both.";
      }
    ] ++ common.secretAssertions "services.vikunja-sync" cfg.settings;

    warnings =
      optional (cfg.settings ? VIKUNJA_SYNC_DB)
        "services.vikunja-sync.settings.VIKUNJA_SYNC_DB: the Taskwarrior hooks run from ${cfg.user}'s shell and do not see it; set it in their session (or ~/.config/vikunja-sync/env) too, or they queue elsewhere."
      ++ optional (cfg.webhook.enable && cfg.webhook.secretFile == null && cfg.environmentFile == null
                   && !(cfg.settings ? VIKUNJA_WEBHOOK_SECRET_FILE))
        "services.vikunja-sync.webhook: no webhook secret configured; unsigned webhooks will be queued.";

    environment.systemPackages = [ cfg.package ];

    systemd.services = lib.mkMerge [
      (mkIf (cfg.mode == "service") {
        # contrib/systemd/vikunja-sync-worker.service
        vikunja-sync-worker = workerUnit {
          description = "vikunja-sync worker: Taskwarrior <-> Vikunja queue";
          wantedBy = [ "multi-user.target" ];
          serviceConfig = common.workerService // {
            ExecStart = "${cfg.package}/bin/vikunja-worker run";
          };
        };
      })

      (mkIf (cfg.mode == "timer") {
        # contrib/systemd/vikunja-sync-drain.service
        vikunja-sync-drain = workerUnit {
          description = "vikunja-sync: drain the queue once";
          serviceConfig = {
            Type = "oneshot";
            ExecStart = "${cfg.package}/bin/vikunja-worker drain";
          };
        };
      })

      (mkIf cfg.reconcile.enable {
        # contrib/systemd/vikunja-sync-reconcile.service
        vikunja-sync-reconcile = workerUnit {
          description = "vikunja-sync: compare Taskwarrior and Vikunja and queue what differs";
          serviceConfig = common.reconcileService // {
            ExecStart = "${cfg.package}/bin/vikunja-worker reconcile";
          };
        };
      })

      (mkIf cfg.webhook.enable {
        # adnanh/webhook with contrib/webhook/hooks.json; vikunja-enqueue inherits its environment.
        vikunja-sync-webhook = {
          description = "vikunja-sync: Vikunja webhook receiver (adnanh/webhook)";
          documentation = [ docs ];
          wantedBy = [ "multi-user.target" ];
          after = [ "network.target" ];
          environment = webhookEnvironment;
          serviceConfig = common.hardening // {
            User = cfg.user;
            ExecStart = common.webhookCommand cfg (common.hooksFile pkgs "${cfg.package}/bin/vikunja-enqueue");
            EnvironmentFile = environmentFiles;
            LoadCredential = webhookCredentials;
            Restart = "on-failure";
            RestartSec = "5s";
          };
        };
      })

      (mkIf cfg.installHooks {
        # What `vikunja-enqueue install-hooks` does, but linking the stable
        # /run/current-system/sw/bin path (install-hooks links its own store path, which the next
        # update would leave behind). Runs as the user, so the directories are the user's.
        # A different file already there is left alone and the unit fails (73, as install-hooks).
        vikunja-sync-hooks = {
          description = "vikunja-sync: link the Taskwarrior hooks";
          wantedBy = [ "multi-user.target" ];
          serviceConfig = common.hardening // {
            Type = "oneshot";
            RemainAfterExit = true;
            User = cfg.user;
          };
          script = ''
            hooks=${lib.escapeShellArg hooksDir}
            target=${lib.escapeShellArg stableEnqueue}
            mkdir -p "$hooks"
            status=0
            for name in on-add-vikunja on-modify-vikunja; do
              link="$hooks/$name"
              if [ -L "$link" ]; then
                case "$(readlink "$link")" in
                  "$target") ;;
                  */bin/vikunja-enqueue) ln -sfn "$target" "$link"; echo "relinked $link -> $target" ;;
                  *) echo "refusing to replace $link: it links to $(readlink "$link")" >&2; status=73 ;;
                esac
              elif [ -e "$link" ]; then
                echo "refusing to replace $link: it exists and is not a link to vikunja-enqueue" >&2
                status=73
              else
                ln -s "$target" "$link"
                echo "linked $link -> $target"
              fi
            done
            exit "$status"
          '';
        };
      })
    ];

    systemd.timers = lib.mkMerge [
      (mkIf (cfg.mode == "timer") {
        # contrib/systemd/vikunja-sync-drain.timer
        vikunja-sync-drain = {
          description = "vikunja-sync: drain the queue every ${cfg.drainInterval}";
          wantedBy = [ "timers.target" ];
          timerConfig = common.drainTimer cfg.drainInterval;
        };
      })
      (mkIf cfg.reconcile.enable {
        # contrib/systemd/vikunja-sync-reconcile.timer
        vikunja-sync-reconcile = {
          description = "vikunja-sync: reconcile every ${cfg.reconcile.interval}";
          wantedBy = [ "timers.target" ];
          timerConfig = common.reconcileTimer cfg.reconcile.interval;
        };
      })
    ];

    networking.firewall.allowedTCPPorts = optional (cfg.webhook.enable && cfg.webhook.openFirewall) cfg.webhook.port;
  };
}

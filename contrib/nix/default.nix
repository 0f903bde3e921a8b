# Entry point for users of this checkout:
#   nix-build contrib/nix -A vikunja-sync          # the package (./result/bin/…)
#   import ./contrib/nix { pkgs = …; }             # the attributes below
#
#   vikunja-sync           the package, built with `pkgs`
#   overlay                adds pkgs.vikunja-sync (the modules use it when present)
#   nixosModules.default   services.vikunja-sync for NixOS (system units with User=)
#   homeManagerModules.default  services.vikunja-sync for home-manager (user units)
#
# These files are syntax-checked only (nix-instantiate --parse); see README.md here.
{ pkgs ? import <nixpkgs> { } }:

{
  vikunja-sync = pkgs.callPackage ./package.nix { };

  overlay = final: prev: {
    vikunja-sync = final.callPackage ./package.nix { };
  };

  nixosModules.default = ./nixos-module.nix;
  homeManagerModules.default = ./home-manager.nix;
}

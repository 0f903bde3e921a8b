#!/usr/bin/env bash
# The man pages and the shell completions, checked against the binaries they describe:
#   (a) each generated page (build target man_pages) renders with `man --warnings` without a
#       warning, and its .gz holds the same page;
#   (b) every command, long option, environment variable and exit status in
#       `vikunja-worker --help` / `vikunja-enqueue --help` is in that binary's page, and every
#       table and view of schema/*.sql in vikunja-sync(7), so no page silently falls behind;
#   (c) each bash completion loads in bash (with bash-completion, and without it) and offers
#       every command, subcommand and long option of --help, breaker targets and --db files;
#       the zsh completions parse.
# Usage: docs_test.sh BUILD_DIR SOURCE_DIR [BIN_DIR]     (BIN_DIR: default BUILD_DIR/bin)
# Missing man (Debian package man-db), pages or binaries fail: they are what this checks.
set -euo pipefail
build=$1
source_dir=$2
bin=${3:-$build/bin}
pages=$build/docs/man
# A locale every Debian has, so man never warns about a missing one.
export LC_ALL=C.UTF-8
failures=0
fail() {
  echo "docs_test: FAIL: $*" >&2
  failures=$((failures + 1))
}

command -v man > /dev/null || { echo "docs_test: FAIL: man not found (Debian package man-db)" >&2; exit 1; }
for program in vikunja-worker vikunja-enqueue; do
  [[ -x $bin/$program ]] || { echo "docs_test: FAIL: $bin/$program not found" >&2; exit 1; }
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- (a) every page renders cleanly ------------------------------------------------------------
for page in vikunja-enqueue.1 vikunja-worker.1 vikunja-sync.7; do
  file=$pages/$page
  if [[ ! -s $file ]]; then
    fail "$file is missing or empty (scdoc output: build the man_pages target)"
    continue
  fi
  if ! zcat "$file.gz" 2> /dev/null | cmp -s - "$file"; then
    fail "$file.gz is missing or differs from $file"
  fi
  if ! warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$file" 2>&1 > /dev/null); then
    fail "$page: man exited non-zero: $warnings"
  elif [[ -n $warnings ]]; then
    fail "$page: man --warnings:"$'\n'"$warnings"
  fi
done

# --- (b) the pages cover --help ---------------------------------------------------------------
# The page as text: no hyphenation or justification, one long line per paragraph.
render() { MANWIDTH=250 man --no-hyphenation --no-justification -E ascii -l "$1" 2> /dev/null; }
# Lines of section $2 (an upper-case heading) of rendered text $1.
section() { awk -v name="$2" '/^[A-Z]/ { inside = ($0 == name) } inside' <<< "$1"; }
# Whether $1 holds $2 as a word of its own (words may contain - and _).
mentions() { grep -qE -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|$)" <<< "$1"; }

# Commands of a usage text: each line in "Commands:" that starts at column 2, its leading
# lower-case words ("webhooks install", "breaker reset", "install-hooks").
help_commands() {
  sed -n '/^Commands:/,/^$/p' <<< "$1" | grep -E '^  [a-z]' | sed -E 's/^  //; s/  .*//' |
    awk '{ phrase = ""; for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) phrase = phrase (i > 1 ? " " : "") $i; print phrase }'
}
help_options() { grep -oE -- '--[a-z][a-z-]*[a-z]' <<< "$1" | sort -u; }
help_variables() { grep -owE 'VIKUNJA_[A-Z_]*[A-Z]|TASKRC|TASKDATA|XDG_[A-Z_]*[A-Z]' <<< "$1" | sort -u; }
help_exit_codes() {
  sed -n '/^Exit status:/,$p' <<< "$1" | grep -oE '(^|[[:space:]])[0-9]{1,3} [a-z(]' | grep -oE '[0-9]+' | sort -un
}

for program in vikunja-worker vikunja-enqueue; do
  file=$pages/$program.1
  [[ -s $file ]] || continue # reported in (a)
  help=$("$bin/$program" --help)
  text=$(render "$file")
  flat=$(tr -s '[:space:]' ' ' <<< "$text")
  exit_section=$(section "$text" "EXIT STATUS")
  [[ -n $(help_commands "$help") ]] || fail "$program --help: no commands found (has its layout changed?)"
  while read -r phrase; do
    mentions "$flat" "$phrase" || fail "$program.1 does not mention the command '$phrase' of --help"
  done < <(help_commands "$help")
  while read -r option; do
    mentions "$flat" "$option" || fail "$program.1 does not mention the option $option of --help"
  done < <(help_options "$help")
  while read -r variable; do
    mentions "$flat" "$variable" || fail "$program.1 does not mention the variable $variable of --help"
  done < <(help_variables "$help")
  while read -r code; do
    grep -qE "^[[:space:]]+${code}[[:space:]]*$" <<< "$exit_section" ||
      fail "$program.1 has no entry for exit status $code of --help under EXIT STATUS"
  done < <(help_exit_codes "$help")
done

if [[ -s $pages/vikunja-sync.7 ]]; then
  flat=$(render "$pages/vikunja-sync.7" | tr -s '[:space:]' ' ')
  while read -r name; do
    mentions "$flat" "$name" || fail "vikunja-sync.7 does not describe the table or view $name (schema/)"
  # Every table and view the schema has now: the migrations in order, a DROP undoing a CREATE.
  done < <(grep -hoiE '(CREATE|DROP) (TABLE|VIEW) [a-z_]+' "$source_dir"/schema/*.sql |
             awk '{ exists[$3] = (toupper($1) == "CREATE") } END { for (name in exists) if (exists[name]) print name }' |
             grep -v '_new$' | sort -u)
  for unit in vikunja-sync-worker.service vikunja-sync-drain.timer vikunja-sync-reconcile.timer \
              vikunja-sync-webhook.service; do
    mentions "$flat" "$unit" || fail "vikunja-sync.7 does not describe the unit $unit"
  done
fi

# --- (c) completions ----------------------------------------------------------------------------
library=/usr/share/bash-completion/bash_completion
# complete WITH SCRIPT FUNCTION WORD...: COMPREPLY, one per line, for the command line WORD...
# (the last word is the one being completed); WITH is "library" to load bash-completion first.
complete_line() {
  (cd "$scratch/cwd" && bash --norc --noprofile -c '
    set +o posix
    if [[ $1 == library ]]; then source "$2"; fi
    source "$3"
    function=$4
    shift 4
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$function" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"
  ' bash "$@")
}
# expect OFFERED WORD...: every WORD is a line of OFFERED.
offers() {
  local offered=$1 word
  shift
  for word; do
    grep -qxF -- "$word" <<< "$offered" || return 1
  done
}

mkdir -p "$scratch/cwd/queue-dir"
touch "$scratch/cwd/queue.db"
modes=(plain)
if [[ -r $library ]]; then
  modes+=(library)
else
  echo "docs_test: note: $library not found (Debian package bash-completion); completions checked without it"
fi

for mode in "${modes[@]}"; do
  for program in vikunja-worker vikunja-enqueue; do
    script=$source_dir/contrib/completions/$program.bash
    function=_${program//-/_}
    if ! bash -n "$script"; then
      fail "$script does not parse"
      continue
    fi
    check() { # check WHAT EXPECTED-WORDS -- COMMAND-LINE...
      local what=$1 expected=() line=()
      shift
      while [[ $1 != -- ]]; do expected+=("$1"); shift; done
      shift
      line=("$@")
      local offered
      offered=$(complete_line "$mode" "$library" "$script" "$function" "${line[@]}" 2>&1) || true
      if ! offers "$offered" "${expected[@]}"; then
        fail "$mode: completing '${line[*]}' ($what) offers [$(tr '\n' ' ' <<< "$offered")], not all of: ${expected[*]}"
      fi
    }
    help=$("$bin/$program" --help)
    # Every command of --help, and its subcommand; every long option under some command.
    mapfile -t phrases < <(help_commands "$help")
    options=$(complete_line "$mode" "$library" "$script" "$function" "$program" "--" 2>&1 || true)
    for phrase in "${phrases[@]}"; do
      read -ra words <<< "$phrase"
      check "a command of --help" "${words[0]}" -- "$program" ""
      if ((${#words[@]} > 1)); then
        check "a subcommand of --help" "${words[1]}" -- "$program" "${words[0]}" ""
      fi
      options+=$'\n'$(complete_line "$mode" "$library" "$script" "$function" "$program" "${words[@]}" "--" 2>&1 || true)
    done
    while read -r option; do
      offers "$options" "$option" ||
        fail "$mode: $program completion never offers the option $option of --help"
    done < <(help_options "$help")
    check "--db completes files" queue.db -- "$program" --db "q"
  done

  script=$source_dir/contrib/completions/vikunja-worker.bash
  function=_vikunja_worker
  program=vikunja-worker
  check "the commands" doctor webhooks -- vikunja-worker ""
  check "webhooks' subcommands" install list remove -- vikunja-worker webhooks ""
  check "breaker targets" vikunja taskwarrior -- vikunja-worker breaker reset ""
  check "options after --db" --json -- vikunja-worker --db queue.db status --
  offered=$(complete_line "$mode" "$library" "$script" "$function" vikunja-worker purge --older-than "" 2>&1 || true)
  [[ -z $offered ]] || fail "$mode: completing 'vikunja-worker purge --older-than ' offers [$offered], not nothing"

  script=$source_dir/contrib/completions/vikunja-enqueue.bash
  function=_vikunja_enqueue
  program=vikunja-enqueue
  check "webhook's options" --signature --input-env -- vikunja-enqueue webhook --
  check "--taskdata completes directories" queue-dir -- vikunja-enqueue install-hooks --taskdata "q"
  check "push completes files" queue.db -- vikunja-enqueue push "q"
done

if command -v zsh > /dev/null; then
  for program in vikunja-worker vikunja-enqueue; do
    script=$source_dir/contrib/completions/_$program
    head -n 1 "$script" | grep -qx "#compdef $program" || fail "$script does not start with #compdef $program"
    zsh -n "$script" || fail "$script does not parse"
  done
else
  echo "docs_test: note: zsh not found; zsh completions not parsed"
fi

if ((failures > 0)); then
  echo "docs_test: $failures failure(s)" >&2
  exit 1
fi
echo "docs_test: ok"

# bash completion for vikunja-worker                          -*- shell-script -*-
# Installed as share/bash-completion/completions/vikunja-worker, which bash-completion loads on
# first use. The commands and options are those of `vikunja-worker --help`.

_vikunja_worker()
{
    local cur prev words cword split=false
    if declare -F _init_completion > /dev/null; then
        _init_completion -s || return
    else
        # Without bash-completion: COMP_WORDS splits --db=PATH into --db, =, PATH.
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        if [[ $cur == = ]]; then
            cur=
        elif [[ $prev == = && $cword -ge 2 ]]; then
            prev=${words[cword - 2]}
        fi
    fi

    case $prev in
        --db)
            _vikunja_worker_files
            return
            ;;
        --url | --older-than)
            return
            ;;
    esac
    [[ $split == true ]] && return

    # The command and its words so far; options may stand anywhere (getopt_long).
    local i word command='' sub='' nwords=0
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --db | --url | --older-than)
                [[ ${words[i + 1]-} == = ]] && ((i++))
                ((i++))
                ;;
            -*) ;;
            *)
                if [[ -z $command ]]; then
                    command=$word
                elif [[ -z $sub ]]; then
                    sub=$word
                fi
                ((nwords++))
                ;;
        esac
    done

    if [[ $cur == -* ]]; then
        local options='--db'
        case $command in
            '') options+=' --help --version' ;;
            reconcile) options+=' --dry-run --allow-deletes --full --include-completed' ;;
            status) options+=' --json' ;;
            doctor) options+=' --json --url' ;;
            webhooks) [[ $sub == install || $sub == remove ]] && options+=' --url' ;;
            retry) options+=' --dead' ;;
            purge) options+=' --older-than' ;;
        esac
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return
    fi

    case $command in
        '')
            mapfile -t COMPREPLY < <(compgen -W 'drain run reconcile relink status metrics config doctor
                webhooks retry purge breaker' -- "$cur")
            ;;
        webhooks)
            [[ $nwords -eq 1 ]] && mapfile -t COMPREPLY < <(compgen -W 'install list remove' -- "$cur")
            ;;
        breaker)
            if [[ $nwords -eq 1 ]]; then
                mapfile -t COMPREPLY < <(compgen -W 'reset' -- "$cur")
            elif [[ $sub == reset && $nwords -eq 2 ]]; then
                mapfile -t COMPREPLY < <(compgen -W 'vikunja taskwarrior' -- "$cur")
            fi
            ;;
        retry)
            # Job ids are in `vikunja-worker status`; offer the other form.
            [[ $nwords -eq 1 ]] && mapfile -t COMPREPLY < <(compgen -W '--dead' -- "$cur")
            ;;
    esac
}

_vikunja_worker_files()
{
    if declare -F _filedir > /dev/null; then
        _filedir
    else
        compopt -o filenames 2> /dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

complete -F _vikunja_worker vikunja-worker

# ex: filetype=sh

# bash completion for vikunja-enqueue                         -*- shell-script -*-
# Installed as share/bash-completion/completions/vikunja-enqueue, which bash-completion loads on
# first use. The commands and options are those of `vikunja-enqueue --help`.

_vikunja_enqueue()
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
            _vikunja_enqueue_files
            return
            ;;
        --taskdata)
            _vikunja_enqueue_files -d
            return
            ;;
        --input-env)
            mapfile -t COMPREPLY < <(compgen -e -- "$cur")
            return
            ;;
        --signature)
            return
            ;;
    esac
    [[ $split == true ]] && return

    # The command and its words so far; options may stand anywhere (getopt_long).
    local i word command='' nwords=0
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --db | --signature | --input-env | --taskdata)
                [[ ${words[i + 1]-} == = ]] && ((i++))
                ((i++))
                ;;
            -?*) ;;
            *)
                [[ -z $command ]] && command=$word
                ((nwords++))
                ;;
        esac
    done

    if [[ $cur == -?* ]]; then
        local options='--db'
        case $command in
            '') options+=' --help --version' ;;
            push | delete) options+=' --input-env' ;;
            webhook) options+=' --input-env --signature' ;;
            install-hooks) options+=' --taskdata' ;;
        esac
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return
    fi

    case $command in
        '')
            mapfile -t COMPREPLY < <(compgen -W 'push delete webhook hook install-hooks' -- "$cur")
            ;;
        push | delete | webhook)
            # FILE, or - for standard input.
            [[ $nwords -eq 1 ]] && _vikunja_enqueue_files
            ;;
    esac
}

_vikunja_enqueue_files()
{
    if declare -F _filedir > /dev/null; then
        _filedir "$@"
    else
        compopt -o filenames 2> /dev/null
        if [[ ${1-} == -d ]]; then
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
    fi
}

complete -F _vikunja_enqueue vikunja-enqueue

# ex: filetype=sh

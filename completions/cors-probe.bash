_cors_probe_completion() {
    local IFS=$'
'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _CORS_PROBE_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _cors_probe_completion cors-probe

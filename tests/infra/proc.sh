# Telling whether the process behind a pid file still runs. Sourced by lib.sh and tests/setup.sh.
# shellcheck shell=bash

# proc_start PID: when the process started (clock ticks since boot), to tell a pid from its reuse;
# empty where /proc is not there.
proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  # Field 22 of /proc/PID/stat, the 20th after the command name and its closing parenthesis.
  read -ra stat <<<"${stat##*) }"
  echo "${stat[19]}"
}

# process_alive PID [START]: PID runs, and is the process that started at START when one is given.
process_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ -z "${2:-}" || "$(proc_start "$1")" == "$2" ]]
}

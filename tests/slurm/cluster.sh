#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, for the SLURM workflow test
# (tests/workflow/test_slurm_workflow.py) and for trying profiles/slurm/ by hand:
#
#   bash tests/slurm/cluster.sh start    # install if missing, write the config, start, wait for idle
#   bash tests/slurm/cluster.sh status   # daemons' pids and sinfo
#   bash tests/slurm/cluster.sh stop     # scancel our jobs, stop the daemons by their pids, restore
#
# Needs root (slurmd runs jobs as their users) and Debian's slurmctld, slurmd, slurm-client and
# munge (installed here with apt-get when missing, as tests/setup/deps.d/slurm.sh lists them).
# No systemd: munged, slurmctld and slurmd are started directly and stopped by the process ids
# in their pid files, which live in the state folder with their logs.
#
# The state folder (SLURM_TEST_STATE, default /tmp/sc-slurm) holds the munge key and the pid
# files that `stop` kills: it must be root's own (made with mode 711 when missing; an existing
# one must be a real folder, not a link, owned by root, mode 700 or 711), else the script
# refuses to run. A pid is only trusted when that process is the daemon (pid reuse): its
# /proc/PID/comm names it, its /proc/PID/exe is the binary `command -v <daemon>` finds, and it
# runs as root. The backup of an existing /etc/slurm/slurm.conf stays beside it, in /etc/slurm.
#
# What this set-up has to get right (SLURM 22.05, munge 0.5.15 on Debian 12):
# - no accounting database (AccountingStorageType=accounting_storage/none), so `sacct` fails and
#   job status must come from `squeue`: finished jobs stay visible there for MinJobAge seconds,
#   and the executor plugin only trusts squeue when MinJobAge is at least 120 s;
# - the plugin's job step drops every SLURM_* variable (SLURM_CONF too) before its inner srun,
#   so the config must sit at the default path /etc/slurm/slurm.conf: an existing one is backed
#   up on start and put back on stop;
# - munged wants its socket's folder owned by it and world-executable (755), and a short path;
# - DefMemPerCPU keeps a job without --mem from taking the node's whole memory.
set -euo pipefail
# the config at the default path, not one a caller's environment points at
unset SLURM_CONF

STATE=${SLURM_TEST_STATE:-/tmp/sc-slurm}
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
BACKUP=$CONF_DIR/slurm.conf.sentclust-orig
MARK="# written by sentclust tests/slurm/cluster.sh"
SOCKET=$STATE/m/munge.sock
PARTITION=${SLURM_TEST_PARTITION:-debug}
PACKAGES="slurmctld slurmd slurm-client munge"

log() { echo "slurm-cluster: $*" >&2; }

missing_packages() {
    local p out=""
    for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || out="$out $p"; done
    echo "$out"
}

install_if_missing() {
    local missing
    missing=$(missing_packages)
    [[ -z "$missing" ]] && return 0
    command -v apt-get >/dev/null || { log "missing$missing and no apt-get"; return 1; }
    log "installing$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

refuse_state() {
    log "refusing the state folder $STATE: $1. It holds the munge key and the pid files that" \
        "'stop' kills, so it must be a real folder (not a link) owned by root with mode 700 or" \
        "711. Fix: remove it (rm -rf $STATE) or set SLURM_TEST_STATE to a new path (the script" \
        "makes it)"
    return 2
}

require_private_state() { # [create]: check the state folder; make it (mode 711) if asked
    local parent owner mode
    parent=$(dirname -- "$STATE")
    [[ -d $parent ]] || refuse_state "its parent folder $parent does not exist" || return
    read -r owner mode < <(stat -L -c '%u %a' -- "$parent")
    # in a folder others may write to, only the sticky bit (as on /tmp) stops them renaming ours
    if ((8#$mode & 8#022 && !(8#$mode & 8#1000))) || [[ $owner != 0 ]]; then
        refuse_state "its parent $parent is not root's, or others may write to it without the" \
            "sticky bit (owner uid $owner, mode $mode)"
        return
    fi
    if [[ ${1:-} == create && ! -e $STATE && ! -L $STATE ]]; then
        # 711: nobody else lists or writes it; munged's socket path must be searchable by all
        mkdir -m 711 -- "$STATE" || refuse_state "it cannot be made" || return
    fi
    [[ -e $STATE || -L $STATE ]] || return 0 # nothing there: nothing started
    [[ ! -L $STATE ]] || refuse_state "it is a symbolic link" || return
    [[ -d $STATE ]] || refuse_state "it is not a folder" || return
    read -r owner mode < <(stat -c '%u %a' -- "$STATE")
    [[ $owner == 0 ]] || refuse_state "it is owned by uid $owner, not root" || return
    [[ $mode == 700 || $mode == 711 ]] || refuse_state "its mode is $mode" || return
}

pid_of() { # name: the pid from its pid file, if that process is alive and is that daemon
    local f=$STATE/$1.pid pid comm want exe uid
    [[ -f $f && ! -L $f && -s $f ]] || return 1
    pid=$(head -c 32 "$f" | tr -d '[:space:]')
    [[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
    # a pid file left by a crash may name a live process that reused the number
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ $comm == "$1" ]] || return 1
    # comm is only a name that any program may take (a copy of sleep called slurmd): the
    # process must run the installed daemon's binary ("(deleted)" once a package upgrade
    # replaced the file), as root
    want=$(command -v -- "$1") && want=$(readlink -f -- "$want") || return 1
    exe=$(readlink -- "/proc/$pid/exe" 2>/dev/null) || return 1
    [[ $exe == "$want" || $exe == "$want (deleted)" ]] || return 1
    uid=$(awk '/^Uid:/ { print $2; exit }' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ $uid == 0 ]] || return 1
    echo "$pid"
}

write_conf() {
    local host node cpus mem
    host=$(hostname -s)
    # this machine as slurmd sees it: CPUs, sockets, cores, threads, RealMemory
    node=$(slurmd -C | head -1)
    cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node")
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
    mkdir -p "$CONF_DIR"
    if [[ -e $CONF ]] && ! grep -qF "$MARK" "$CONF"; then
        cp -p "$CONF" "$BACKUP"
        log "backed up $CONF to $BACKUP"
    fi
    cat >"$CONF" <<EOF
$MARK (state in $STATE); 'cluster.sh stop' restores the previous file
ClusterName=sentclust-test
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# no accounting database: sacct does not work, job states come from squeue
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# finished jobs stay in squeue this long (the executor needs >= 120 s to trust squeue)
MinJobAge=300
# a job without --mem gets this much per CPU, not the whole node
DefMemPerCPU=1000
$node NodeAddr=127.0.0.1
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    log "wrote $CONF (node $host: $cpus CPUs, $mem MB)"
}

start_munged() {
    if pid_of munged >/dev/null; then return 0; fi
    mkdir -p "$STATE/m"
    chmod 755 "$STATE/m"
    if [[ ! -s $STATE/munge.key ]]; then
        (umask 077 && dd if=/dev/urandom of="$STATE/munge.key" bs=1024 count=1 status=none)
    fi
    munged --socket="$SOCKET" --key-file="$STATE/munge.key" --pid-file="$STATE/munged.pid" \
        --log-file="$STATE/munged.log" --seed-file="$STATE/munged.seed" --force
    for _ in $(seq 50); do [[ -S $SOCKET ]] && return 0; sleep 0.1; done
    log "munged did not create $SOCKET; see $STATE/munged.log"
    return 1
}

wait_idle() {
    local state=""
    for _ in $(seq 60); do
        state=$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)
        if [[ $state == idle* ]]; then
            log "node idle (partition $PARTITION)"
            return 0
        fi
        sleep 0.5
    done
    log "node not idle after 30 s (state '$state'); logs in $STATE"
    return 1
}

start() {
    [[ $(id -u) == 0 ]] || { log "must run as root"; exit 2; }
    install_if_missing
    mkdir -p "$STATE/ctld" "$STATE/d"
    write_conf
    start_munged
    # -c: cold start, no jobs or node state carried over from an earlier run; a fresh log each
    # start (the SLURM workflow test reads the controller's log for its jobs)
    if ! pid_of slurmctld >/dev/null; then
        [[ -e $STATE/slurmctld.log ]] && mv "$STATE/slurmctld.log" "$STATE/slurmctld.log.old"
        slurmctld -c
    fi
    if ! pid_of slurmd >/dev/null; then
        [[ -e $STATE/slurmd.log ]] && mv "$STATE/slurmd.log" "$STATE/slurmd.log.old"
        slurmd
    fi
    wait_idle
}

stop_pid() { # name: TERM the pid from its pid file, wait, then KILL
    local pid
    pid=$(pid_of "$1") || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        log "$1 ($pid) ignored TERM; killing"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/$1.pid"
}

stop() {
    if pid_of slurmctld >/dev/null; then
        scancel --user="$(id -un)" 2>/dev/null || true
    fi
    stop_pid slurmd
    stop_pid slurmctld
    stop_pid munged
    if [[ -e $CONF ]] && grep -qF "$MARK" "$CONF"; then
        if [[ -e $BACKUP ]]; then
            mv "$BACKUP" "$CONF"
            log "restored the previous $CONF"
        else
            rm -f "$CONF"
        fi
    fi
    log "stopped"
}

status() {
    local name pid rc=0
    for name in munged slurmctld slurmd; do
        if pid=$(pid_of $name); then echo "$name running (pid $pid)"; else echo "$name stopped"; rc=1; fi
    done
    [[ $rc == 0 ]] && sinfo -N
    return $rc
}

main() {
    case "${1:-}" in
    start)
        [[ $(id -u) == 0 ]] || { log "must run as root"; return 2; }
        require_private_state create && start
        ;;
    stop) require_private_state && stop ;;
    status) require_private_state && status ;;
    *)
        echo "usage: $0 start|stop|status   (state folder: $STATE)" >&2
        return 2
        ;;
    esac
}

# sourced (the unit tests call the functions): define them only
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi

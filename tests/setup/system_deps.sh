#!/usr/bin/env bash
# Installs the Debian packages that some tests drive for real (headless Chromium, SLURM daemons),
# when they are missing and this user may install them. Runs every tests/setup/deps.d/*.sh, each of
# which names its packages in a PACKAGES line and checks for them itself.
#
# Set SKIP_SYSTEM_DEPS=1 to install nothing: the tests that need the packages then skip with a
# reason. CI runs as root with apt and installs them (make test calls this script).
set -uo pipefail
cd "$(dirname "$0")"
if [[ "${SKIP_SYSTEM_DEPS:-0}" == "1" ]]; then
    echo "system deps: SKIP_SYSTEM_DEPS=1, installing nothing (browser and SLURM tests will skip)"
    exit 0
fi
can_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    [[ "$(id -u)" == "0" ]] || sudo -n true 2>/dev/null
}
SUDO=""
[[ "$(id -u)" == "0" ]] || SUDO="sudo -n"
status=0
for script in deps.d/*.sh; do
    [[ -e "$script" ]] || continue
    missing=$(bash "$script" missing)
    if [[ -z "$missing" ]]; then
        continue
    fi
    if ! can_install; then
        echo "system deps: $script needs $missing; not root and no apt-get/sudo: its tests will skip"
        continue
    fi
    echo "system deps: installing $missing (for $script)"
    # wait for a package-manager lock held by another apt (up to 5 minutes) instead of failing
    lock=(-o DPkg::Lock::Timeout=300)
    if ! { $SUDO apt-get "${lock[@]}" update -qq && DEBIAN_FRONTEND=noninteractive $SUDO \
        apt-get "${lock[@]}" install -y -qq --no-install-recommends $missing >/dev/null; }; then
        echo "system deps: installing $missing FAILED; its tests will skip or fail" >&2
        status=1
    fi
done
exit $status

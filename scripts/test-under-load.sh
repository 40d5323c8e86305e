#!/usr/bin/env bash
# Proves the suite does not depend on an idle machine: clones this repository into a temporary directory
# and runs the README's test command (`npm install && npm test`) several times while other processes keep
# every core busy (`stress-ng --cpu`, or node busy loops when stress-ng is absent), then prints each
# result and duration. Not part of CI or `npm test`: a full run takes a long while.
#
#   scripts/test-under-load.sh [--runs N] [--ref REF] [--cpus N] [--no-load] [--keep]
#
#   --runs N    how many clean clones to test, one after the other (default 3)
#   --ref REF   the commit to test (default HEAD; uncommitted changes are not tested)
#   --cpus N    busy processes to start (default: one per core, from nproc)
#   --no-load   the same runs on an otherwise idle machine, for a baseline
#   --keep      keep the temporary directory (clones and logs) for a post-mortem
set -euo pipefail

runs=3
ref=HEAD
cpus=$(nproc)
load=true
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --no-load) load=false; shift ;;
    --keep) keep=true; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$runs$cpus" in
  *[!0-9]*) echo "Expected --runs and --cpus to be whole numbers, got '$runs' and '$cpus'" >&2; exit 2 ;;
esac

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse --verify "$ref^{commit}")
if [ "$ref" = HEAD ] && ! git -C "$repo" diff --quiet HEAD; then
  echo "note: $repo has uncommitted changes; only commit ${commit:0:12} is tested" >&2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ompcord-load-XXXXXX")
# As readable as a normal checkout: some tests run a check as an unprivileged user from the clone.
chmod 755 "$work"
load_pids=()

stop_load() {
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  load_pids=()
}
cleanup() {
  stop_load
  if $keep; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_load() {
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu "$cpus" --quiet &
    load_pids+=("$!")
    echo "load: stress-ng --cpu $cpus"
  else
    for _ in $(seq "$cpus"); do
      node -e 'for (;;) {}' &
      load_pids+=("$!")
    done
    echo "load: $cpus node busy loops (stress-ng not found)"
  fi
}

# "2m 05s" from seconds.
duration() { printf '%dm %02ds' $(($1 / 60)) $(($1 % 60)); }

echo "testing ${commit:0:12} from $repo, $runs run(s), in $work"
$load && start_load || echo "load: none (baseline)"
failed=0
summary=()
for i in $(seq "$runs"); do
  clone="$work/clone-$i"
  log="$work/run-$i.log"
  git clone --quiet --no-checkout "$repo" "$clone"
  git -C "$clone" checkout --quiet --detach "$commit"
  started=$(date +%s)
  set +e
  (cd "$clone" && npm install && npm test) >"$log" 2>&1
  status=$?
  set -e
  took=$(($(date +%s) - started))
  # vitest's summary line, without colours: "Tests  12 failed | 619 passed (631)".
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests +[0-9]' | tail -1 | sed 's/^ *Tests *//')
  if [ "$status" -eq 0 ]; then verdict=PASS; else verdict="FAIL (exit $status)"; failed=$((failed + 1)); fi
  line="run $i: $verdict in $(duration "$took") — tests: ${tests:-none ran}"
  summary+=("$line")
  echo "$line"
  if [ "$status" -ne 0 ]; then
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|×) ' | sed 's/^/    /' | head -20 || true
    echo "    log: $log"
    keep=true
  fi
  rm -rf "$clone/node_modules"
done
stop_load

echo
echo "summary (${commit:0:12}, $($load && echo "$cpus busy process(es)" || echo "no load")):"
printf '  %s\n' "${summary[@]}"
[ "$failed" -eq 0 ]

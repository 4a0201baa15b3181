#!/bin/sh
# Dead man's switch for one local stack. Its stdin is a pipe from the JVM that owns the
# stack; the pipe closes when that JVM exits for any reason (kill -9 included), and then
# this script stops every server the stack recorded and removes the stack's directory.
stack_dir="$1"
# A Ctrl-C or hang-up aimed at the owner must not take the watchdog down with it.
trap "" INT HUP
cat > /dev/null
for pidfile in "$stack_dir"/pids/*; do
  [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null
done
for _ in $(seq 1 100); do
  alive=0
  for pidfile in "$stack_dir"/pids/*; do
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
  done
  [ "$alive" = 0 ] && break
  sleep 0.1
done
for pidfile in "$stack_dir"/pids/*; do
  [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null
done
rm -rf "$stack_dir"

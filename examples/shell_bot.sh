#!/usr/bin/env bash
# A bot in plain bash: answers every observation with "everyone push the middle lane".
#   shotcaller match --blue "exec:bash examples/shell_bot.sh" --red laner
while IFS= read -r line; do
  case "$line" in
    *'"type":"observe"'*)
      id=$(printf '%s' "$line" | sed -E 's/^\{"type":"observe","id":([0-9]+).*/\1/')
      printf '{"id": %s, "orders": [{"order": "push", "leader": -1, "a": 1, "b": 0}]}\n' "$id"
      ;;
  esac
done

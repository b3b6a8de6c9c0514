#!/usr/bin/env bash
# Install the built one-folder app (dist/emr-assist) with a menu entry and icon.
#
#   installer/install-linux.sh              # for this user: ~/.local/opt/emr-assist, no root needed
#   sudo installer/install-linux.sh --system  # for everyone: /opt/emr-assist
#   installer/install-linux.sh --uninstall [--system]
#
# The app's own data (settings, audit log, imported models) is not touched by --uninstall; the
# README says where it lives and how to remove it.
set -euo pipefail
cd "$(dirname "$0")/.."
SYSTEM=0; UNINSTALL=0
for arg in "$@"; do
  case "$arg" in
    --system) SYSTEM=1 ;;
    --uninstall) UNINSTALL=1 ;;
    *) echo "usage: $0 [--system] [--uninstall]" >&2; exit 2 ;;
  esac
done
if [ "$SYSTEM" = 1 ]; then
  PREFIX=/opt/emr-assist; SHARE=/usr/share; BIN=/usr/local/bin
else
  PREFIX="$HOME/.local/opt/emr-assist"; SHARE="${XDG_DATA_HOME:-$HOME/.local/share}"; BIN="$HOME/.local/bin"
fi
DESKTOP="$SHARE/applications/emr-assist.desktop"

if [ "$UNINSTALL" = 1 ]; then
  rm -rf "$PREFIX" "$DESKTOP" "$BIN/emr-assist" \
    "$SHARE/icons/hicolor/256x256/apps/emr-assist.png" "$SHARE/icons/hicolor/scalable/apps/emr-assist.svg"
  echo "removed the app from $PREFIX (your settings, audit log and models are kept; see the README)"
  exit 0
fi

[ -x dist/emr-assist/emr-assist ] || { echo "build it first: installer/build.sh" >&2; exit 1; }
rm -rf "$PREFIX.new"
mkdir -p "$(dirname "$PREFIX")"
cp -a dist/emr-assist "$PREFIX.new"
rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
install -D -m 644 resources/icons/emr-assist.png "$SHARE/icons/hicolor/256x256/apps/emr-assist.png"
install -D -m 644 resources/icons/emr-assist.svg "$SHARE/icons/hicolor/scalable/apps/emr-assist.svg"
mkdir -p "$(dirname "$DESKTOP")" "$BIN"
sed "s|^Exec=.*|Exec=$PREFIX/emr-assist-gui %F|" installer/emr-assist.desktop > "$DESKTOP"
ln -sf "$PREFIX/emr-assist" "$BIN/emr-assist"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$(dirname "$DESKTOP")" || true
echo "installed to $PREFIX; menu entry $DESKTOP; command $BIN/emr-assist"

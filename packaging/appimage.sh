#!/usr/bin/env bash
# Builds Easel's AppImage from the .deb of a release build, with Debian packages only: no
# download of AppImage tools. `tauri build --bundles appimage` downloads its helpers (AppRun,
# linuxdeploy, the GTK plugin) from GitHub releases instead, so this script replaces it.
#
#   packaging/appimage.sh [DEB] [OUT_DIR]
#     DEB      default: the newest target/dist/bundle/deb/Easel_*_amd64.deb
#     OUT_DIR  default: the .deb's bundle/ folder + appimage/
#
# What it makes: a type-2 AppImage (ELF runtime + squashfs image of an AppDir).
# - The runtime is packaging/appimage/runtime.c, compiled here and linked statically against
#   Debian's libsquashfuse and libfuse3 (it mounts the image with FUSE, or extracts it where FUSE
#   is missing or APPIMAGE_EXTRACT_AND_RUN=1).
# - The AppDir is the .deb's files (binary, desktop entry, icons) plus AppRun.
# - It is a "thin" AppImage: like the .deb (Depends: libwebkit2gtk-4.1-0, libgtk-3-0) it uses
#   the host's WebKitGTK 4.1 and GTK 3, which stay where WebKit finds its helper processes
#   (WebKitWebProcess, WebKitNetworkProcess) at their built-in path.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build tools: mksquashfs, a C compiler, and the static libraries the runtime links.
APT_PACKAGES=(squashfs-tools gcc libc6-dev libsquashfuse-dev libfuse3-dev zlib1g-dev liblzma-dev
    liblzo2-dev liblz4-dev libzstd-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "appimage: installing ${missing[*]}" >&2
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

deb=${1:-$( (ls -t target/dist/bundle/deb/Easel_*_amd64.deb 2>/dev/null || true) | head -n 1)}
if [[ -z $deb ]]; then
    echo "appimage: no .deb given and none in target/dist/bundle/deb/ (see README, Packages)" >&2
    exit 1
fi
[[ -f $deb ]] || { echo "appimage: $deb: no such file" >&2; exit 1; }
out=${2:-$(dirname "$(dirname "$deb")")/appimage}
version=$(dpkg-deb -f "$deb" Version)
arch=$(dpkg-deb -f "$deb" Architecture)
[[ $arch == amd64 ]] || { echo "appimage: only amd64 is supported, not $arch" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The runtime. "AI" 0x02 at byte 8 of the ELF header marks an AppImage of type 2.
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -ffunction-sections -Wl,--gc-sections \
    -I/usr/include/squashfuse -I/usr/include/fuse3 -o "$work/runtime" packaging/appimage/runtime.c \
    -lsquashfuse_ll -lsquashfuse -lfuse3 -lz -llzma -llzo2 -llz4 -lzstd -lpthread -ldl \
    2> >(grep -v -e "Using 'dlopen' in statically linked" -e "in function \`fuse_get_module'" >&2)
strip "$work/runtime"
printf 'AI\002' | dd of="$work/runtime" bs=1 seek=8 conv=notrunc status=none

# The AppDir: the .deb's usr/ tree, its desktop entry and icon at the top, and AppRun.
appdir=$work/Easel.AppDir
dpkg-deb -x "$deb" "$appdir"
desktop=$(ls "$appdir"/usr/share/applications/*.desktop)
cp "$desktop" "$appdir/"
icon=$(sed -n 's/^Icon=//p' "$desktop")
cp "$appdir/usr/share/icons/hicolor/128x128/apps/$icon.png" "$appdir/$icon.png"
ln -s "$icon.png" "$appdir/.DirIcon"
cat >"$appdir/AppRun" <<'EOF'
#!/bin/sh
# Runs Easel from the AppImage's mount point. It uses the host's WebKitGTK 4.1 and GTK 3.
here=$(dirname "$(readlink -f "$0")")
exec "$here/usr/bin/easel-app" "$@"
EOF
chmod 755 "$appdir/AppRun"

# The image: xz with the x86 filter gives the smallest file; files owned by root, fixed times.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0} mksquashfs "$appdir" "$work/image.squashfs" \
    -comp xz -Xbcj x86 -b 1M -all-root -noappend -quiet -no-progress >/dev/null

mkdir -p "$out"
appimage=$out/Easel_${version}_amd64.AppImage
cat "$work/runtime" "$work/image.squashfs" >"$appimage"
chmod 755 "$appimage"
size=$(stat -c %s "$appimage")
echo "$appimage ($(awk -v s="$size" 'BEGIN { printf "%.2f MiB", s / 1048576 }'))"

# Sourced by bin/p2p-edge and bin/test (POSIX sh): the Debian packages holding the shared libraries that libwebrtc
# (webrtc-java's native part, loaded when the edge starts) links against, and whether any of them is missing.
# The Dockerfile installs the same packages.
WEBRTC_PACKAGES="libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libdbus-1-3 libudev1"

# Succeeds when one of those libraries is not in the dynamic linker's cache.
webrtc_libraries_missing() {
  cache="$(ldconfig -p 2>/dev/null)"
  for soname in libpulse.so.0 libX11.so.6 libXfixes.so.3 libXrandr.so.2 libXcomposite.so.1 libdbus-1.so.3 libudev.so.1; do
    case "$cache" in
      *"$soname "*) ;;
      *) return 0 ;;
    esac
  done
  return 1
}

# Installs the given packages with apt-get when run as root on Debian; otherwise says what to install and fails.
install_packages() {
  what="$1"
  shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $what: $*" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing $what: install them (sudo apt-get install -y $*)" >&2
    return 1
  fi
}

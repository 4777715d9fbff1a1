#!/usr/bin/env bash
# CMakeLists.txt, as a CMake user takes wsx in:
#  - FetchContent (from a tarball of the tree) and add_subdirectory: a
#    consumer linking wsx::wsx builds and runs, static by default and shared
#    with BUILD_SHARED_LIBS=ON;
#  - cmake --install to a temporary prefix, then find_package(wsx CONFIG) in
#    another project: wsx::wsx static, or shared with BUILD_SHARED_LIBS=ON
#    (running against the installed libwsx.so.0), wsx::wsx_static and
#    wsx::wsx_shared by name; the installed wsx.pc says what `make install`'s
#    does.
#   tests/interop/test_cmake.sh [BUILD_DIR]
# run.sh: cpu only
. "$(dirname "$0")/lib.sh"
cd "$INTEROP_DIR/../.." || exit 1
need cmake pkg-config readelf || finish
SRC=$PWD
JOBS=$(nproc)

mkdir -p "$TMPD/app"
cat >"$TMPD/app/main.c" <<'C'
#include <stdio.h>
#include <wsx.h>
int main(void)
{
    char acc[WSX_WS_ACCEPT_LEN];
    if (wsx_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, acc) != WSX_OK)
        return 1;
    printf("%.*s %s\n", WSX_WS_ACCEPT_LEN, acc, wsx_version_string());
    return wsx_version() != WSX_VERSION_NUM;
}
C
WANT="s3pPLMBiTxaQ9kYGzzhZRbK+xOo= $(sed -n 's/^#define WSX_VERSION_STRING "\(.*\)"/\1/p' include/wsx_base.h)"

# consumer NAME HOW [cmake -D...]: configure, build and run the app in $TMPD/NAME;
# HOW is the CMake text that brings wsx in.  Then: is it linked to the
# shared library?  (echoes "shared" or "static")
consumer() {
    local name=$1 how=$2 dir=$TMPD/$1
    shift 2
    mkdir -p "$dir"
    cat >"$dir/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.14)
project(app C)
$how
add_executable(app $TMPD/app/main.c)
target_link_libraries(app PRIVATE wsx::wsx)
EOF
    if ! cmake -S "$dir" -B "$dir/b" "$@" >"$dir/log" 2>&1 || ! cmake --build "$dir/b" -j "$JOBS" >>"$dir/log" 2>&1; then
        bad "$name: configure and build" "$(tail -n 8 "$dir/log")"
        return 1
    fi
    out=$("$dir/b/app")
    [ "$out" = "$WANT" ] && ok "$name: app links wsx::wsx and runs" || bad "$name: app runs" "got '$out'"
    if readelf -d "$dir/b/app" | grep -q 'NEEDED.*libwsx\.so\.0'; then LINKED=shared; else LINKED=static; fi
}

# FetchContent from a tarball of the tree, as from a release URL
tar -czf "$TMPD/wsx.tar.gz" --transform 's,^,wsx/,' CMakeLists.txt LICENSE include src pkgconfig
FETCH="include(FetchContent)
FetchContent_Declare(wsx URL file://$TMPD/wsx.tar.gz)
FetchContent_MakeAvailable(wsx)"
consumer fetch-static "$FETCH" && { [ $LINKED = static ] && ok "FetchContent: static by default" || bad "FetchContent: static" "linked $LINKED"; }
consumer fetch-shared "$FETCH" -DBUILD_SHARED_LIBS=ON &&
    { [ $LINKED = shared ] && ok "FetchContent + BUILD_SHARED_LIBS: libwsx.so.0" || bad "FetchContent: shared" "linked $LINKED"; }
consumer subdir "add_subdirectory($SRC wsx)" &&
    { [ $LINKED = static ] && ok "add_subdirectory: static by default" || bad "add_subdirectory: static" "linked $LINKED"; }
[ -e "$TMPD/subdir/b/wsx/libwsx.a" ] && [ ! -e "$TMPD/subdir/b/wsx/libwsx.so" ] &&
    ok "add_subdirectory builds only the library it links" || bad "add_subdirectory builds" "$(ls "$TMPD/subdir/b/wsx")"

# Install, then find_package
P=$TMPD/prefix
if cmake -S . -B "$TMPD/lib" -DCMAKE_INSTALL_PREFIX="$P" >"$TMPD/lib.log" 2>&1 &&
    cmake --build "$TMPD/lib" -j "$JOBS" >>"$TMPD/lib.log" 2>&1 && cmake --install "$TMPD/lib" >>"$TMPD/lib.log" 2>&1; then
    ok "cmake build and install to a prefix"
else
    bad "cmake install" "$(tail -n 8 "$TMPD/lib.log")"
    finish
fi
L=$(cd "$P" && ls -d lib*/libwsx.a | head -n 1 | xargs dirname)
for f in include/wsx.h include/wsx_ws.h include/wsx_base.h "$L/libwsx.a" "$L/libwsx.so" "$L/libwsx.so.0" \
    "$L/cmake/wsx/wsxConfig.cmake" "$L/cmake/wsx/wsxConfigVersion.cmake" "$L/pkgconfig/wsx.pc"; do
    [ -e "$P/$f" ] && ok "installed $f" || bad "installed $f" "missing"
done
soname=$(readelf -d "$P/$L/libwsx.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libwsx.so.0 ] && ok "SONAME libwsx.so.0" || bad "SONAME" "got '$soname'"
got="$(PKG_CONFIG_PATH=$P/$L/pkgconfig pkg-config --modversion wsx) $(PKG_CONFIG_PATH=$P/$L/pkgconfig pkg-config --cflags --libs wsx | sed 's/ *$//')"
[ "$got" = "${WANT#* } -I$P/include -L$P/$L -lwsx" ] && ok "wsx.pc: $got" || bad "wsx.pc" "got '$got'"
FIND="find_package(wsx ${WANT#* } CONFIG REQUIRED)"
consumer find-static "$FIND" -DCMAKE_PREFIX_PATH="$P" &&
    { [ $LINKED = static ] && ok "find_package: wsx::wsx static by default" || bad "find_package: static" "linked $LINKED"; }
consumer find-shared "$FIND" -DCMAKE_PREFIX_PATH="$P" -DBUILD_SHARED_LIBS=ON &&
    { [ $LINKED = shared ] && ok "find_package + BUILD_SHARED_LIBS: libwsx.so.0 from the prefix" ||
        bad "find_package: shared" "linked $LINKED"; }
readelf -d "$TMPD/find-shared/b/app" | grep -q "RUNPATH.*$P\|RPATH.*$P" &&
    ok "find_package shared: the app finds the installed library" ||
    bad "find_package shared: run path" "$(readelf -d "$TMPD/find-shared/b/app" | grep -i path)"
consumer find-too-new "find_package(wsx 99.0 CONFIG QUIET)
if(wsx_FOUND)
  message(FATAL_ERROR \"wsx 99.0 found\")
endif()
find_package(wsx CONFIG REQUIRED)" -DCMAKE_PREFIX_PATH="$P" && ok "find_package(wsx 99.0) refuses this version"
finish

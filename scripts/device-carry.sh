#!/bin/bash
# Slims the output of ../shared/device/prepare-carry.sh so that .device/ plus the tracked working tree
# (about 18 MB of test fixtures) fit the 64 MiB a device call may carry: an uncompressed jlink image
# compressed by xz (17 MB instead of 29 MB), and only the jars the model, parity and bench commands load
# (picocli creates a subcommand's objects only when it runs, so the data/report libraries can stay home).
# Run in the project root after `./mvnw -q -DskipTests package` and `bash ../shared/device/prepare-carry.sh`.
set -euo pipefail
D=.device
[ -d "$D/lib" ] || { echo "run ../shared/device/prepare-carry.sh first" >&2; exit 1; }
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
rm -rf /tmp/device-jre
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.unsupported,java.xml \
  --strip-debug --no-header-files --no-man-pages --compress=0 --output /tmp/device-jre
tar -C /tmp -cf - device-jre | xz -9 -T0 > "$D/jre.tar.xz"
rm -rf /tmp/device-jre
mkdir -p "$D/lib.keep"
for p in 'pytorch-[0-9]*.jar' 'javacpp-*.jar' 'openblas-[0-9]*.jar' 'picocli-*.jar' 'jackson-core-*.jar' \
    'jackson-databind-*.jar' 'jackson-annotations-*.jar' 'slf4j-*.jar'; do
  for j in $D/lib/$p; do [ -f "$j" ] && mv "$j" "$D/lib.keep/"; done
done
rm -rf "$D/lib" && mv "$D/lib.keep" "$D/lib"
rm -rf "$D/classes/demo"
du -sh "$D"; du -sh "$D"/* | sort -h

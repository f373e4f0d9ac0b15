# Sourced by ./granite, ./run-tests and .ci/run: finds a JDK 25 (or newer) and exports JAVA_HOME.
# Order: $JAVA_HOME when it is 25+, then /usr/lib/jvm/temurin-25-jdk-amd64, then any /usr/lib/jvm/*25*.

granitej_java_major() {
  # Prints the feature version of the JDK at $1 (e.g. 25), or nothing.
  local release="$1/release"
  [ -r "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

granitej_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(granitej_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(granitej_find_jdk); then
  echo "granitej needs a JDK 25 or newer: set JAVA_HOME to one, or install it under /usr/lib/jvm (e.g. temurin-25-jdk-amd64)." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 25 warns about on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

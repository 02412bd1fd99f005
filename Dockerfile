# hublab as an OCI image, built on Debian 12 with scripts/setup.
#
#   docker build -t hublab .
#   docker run --rm --cap-add NET_ADMIN --cap-add SYS_ADMIN --device /dev/net/tun \
#     -v "$PWD:/labs" hublab check /labs/x.toml --up --down --junit /labs/report.xml
#
# docs/ci.md says why each option is needed. The stage `build` holds the
# sources, the build tree and every test tool: CI runs the test suite in it.

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
ARG HUBLAB_BUILD_TYPE=Release
ARG HUBLAB_WERROR=0
RUN HUBLAB_BUILD_TYPE=$HUBLAB_BUILD_TYPE HUBLAB_WERROR=$HUBLAB_WERROR scripts/setup \
 && rm -rf /var/lib/apt/lists/*

FROM debian:bookworm
COPY scripts/setup /opt/hublab/scripts/setup
RUN /opt/hublab/scripts/setup --runtime && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/hublab /usr/local/bin/hublab
RUN hublab completion bash >/usr/share/bash-completion/completions/hublab
COPY labs /usr/share/hublab/labs
WORKDIR /labs
ENTRYPOINT ["hublab"]
CMD ["--help"]

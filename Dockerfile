# wasmshim demo image: one static binary and one evaluator module, FROM scratch.
#
#   podman build -t wasmshim .                         # or docker build
#   podman run -p 8080:8080 wasmshim                   # serves the demo evaluator (examples/compare-rust)
#
# Serve another module without rebuilding: mount it and point FUNCTION_WASM_MODULE at it:
#   podman run -p 8080:8080 -v $PWD/my.wasm:/modules/my.wasm:ro -e FUNCTION_WASM_MODULE=/modules/my.wasm wasmshim
#
# Bake your own evaluator into an image (build arguments):
#   EVALUATOR_BUILD   command run in the source tree to build the module (default: the Rust examples)
#   EVALUATOR_MODULE  path of the module to bake in, relative to the source tree
#   e.g. --build-arg EVALUATOR_BUILD=true --build-arg EVALUATOR_MODULE=evaluators/my.wasm
#
# Prebuilt artifacts instead of the build stage (what scripts/container-test.sh does on a machine that cannot
# pull a Rust image): build the static binary and the module on the host, then
#   podman build --build-arg ARTIFACTS=prebuilt --build-arg EVALUATOR_MODULE=target/examples/compare-rust.wasm .
# which takes target/x86_64-unknown-linux-musl/release/wasmshim and the module from the build context.

ARG RUST_IMAGE=docker.io/library/rust:1-bookworm
ARG ARTIFACTS=build
ARG EVALUATOR_BUILD="bash guest-sdk/rust/build.sh"
ARG EVALUATOR_MODULE=target/examples/compare-rust.wasm

# --- build stage: a static (musl) binary and the evaluator, from source
FROM ${RUST_IMAGE} AS build
ARG EVALUATOR_BUILD
ARG EVALUATOR_MODULE
RUN rustup target add x86_64-unknown-linux-musl wasm32-unknown-unknown
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && sh -c "$EVALUATOR_BUILD" \
 && mkdir -p /out \
 && cp target/x86_64-unknown-linux-musl/release/wasmshim /out/wasmshim \
 && cp "$EVALUATOR_MODULE" /out/evaluator.wasm

# --- prebuilt stage: the same two files, built outside (see the header)
FROM scratch AS prebuilt
ARG EVALUATOR_MODULE
COPY target/x86_64-unknown-linux-musl/release/wasmshim /out/wasmshim
COPY ${EVALUATOR_MODULE} /out/evaluator.wasm

FROM ${ARTIFACTS} AS artifacts

# --- runtime stage: nothing but the binary and the module
FROM scratch AS runtime
COPY --from=artifacts /out/wasmshim /wasmshim
COPY --from=artifacts /out/evaluator.wasm /evaluator.wasm
ENV FUNCTION_INTERFACE=wasm \
    FUNCTION_WASM_MODULE=/evaluator.wasm \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    LOG_FORMAT=production
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 CMD ["/wasmshim", "health"]
ENTRYPOINT ["/wasmshim"]
CMD ["serve"]

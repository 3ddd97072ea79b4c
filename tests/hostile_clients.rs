mod common;
#[test]
fn probe() {
    let path = common::fixture_module("hostile.wat");
    std::fs::copy(&path, "/tmp/hostile.wasm").unwrap();
}

//! `AUTH_KEY` checking (http-api.md §2 step 1, §4).

use super::{Request, Settings};

/// Whether the request may proceed: no key configured (or an empty one, as Shimmy treats it), or an
/// `api-key` header equal to the key.
pub(super) fn authorized(request: &Request, settings: &Settings) -> bool {
    match settings.auth_key.as_deref() {
        None | Some("") => true,
        Some(key) => constant_time_eq(key.as_bytes(), request.header("api-key").unwrap_or_default()),
    }
}

/// Compares without an early exit, so the time taken tells nothing about how much of the key
/// matched. It depends only on the length of `expected`.
fn constant_time_eq(expected: &[u8], given: &[u8]) -> bool {
    let mut difference = u8::from(expected.len() != given.len());
    for (index, byte) in expected.iter().enumerate() {
        difference |= byte ^ given.get(index).copied().unwrap_or_default();
    }
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::{authorized, constant_time_eq};
    use crate::protocol::{Request, Settings};

    fn request<'a>(headers: &'a [(&'a str, &'a [u8])]) -> Request<'a> {
        Request { method: "POST", path: "/", headers, body: b"" }
    }

    fn key(key: &str) -> Settings {
        Settings { auth_key: Some(key.to_owned()) }
    }

    #[test]
    fn equal_bytes_match() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn any_difference_fails() {
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"Secret"));
        assert!(!constant_time_eq(b"secret", b"secret\0"));
        assert!(!constant_time_eq(b"secret", b"secre"));
        assert!(!constant_time_eq(b"secret", b""));
        assert!(!constant_time_eq(b"", b"x"));
    }

    #[test]
    fn no_key_configured_lets_everything_through() {
        assert!(authorized(&request(&[]), &Settings::default()));
        assert!(authorized(&request(&[]), &key("")));
    }

    #[test]
    fn the_header_name_is_case_insensitive() {
        assert!(authorized(&request(&[("API-Key", b"k1")]), &key("k1")));
        assert!(authorized(&request(&[("api-key", b"k1")]), &key("k1")));
    }

    #[test]
    fn a_missing_or_wrong_key_is_refused() {
        assert!(!authorized(&request(&[]), &key("k1")));
        assert!(!authorized(&request(&[("api-key", b"k2")]), &key("k1")));
        assert!(!authorized(&request(&[("api-key", b"")]), &key("k1")));
        assert!(!authorized(&request(&[("apikey", b"k1")]), &key("k1")));
    }
}

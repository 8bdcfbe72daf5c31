//! Deterministic seed derivation: every random stream is keyed by (seed, purpose, index),
//! never by thread, so results do not depend on the rayon thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64 finalizer, used to mix seeds.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A generator for stream `(seed, purpose, index)`.
pub fn stream(seed: u64, purpose: u64, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(seed ^ mix(purpose)) ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93)))
}

//! Compile a circuit once, then run op / dc / ac / noise / tran on it many times.

//! Symbolic parameters kept in a [`Circuit`](crate::Circuit) for re-evaluation.
//! (Placeholder: filled in by the front-end work.)

/// Parameter expressions and the element/model numbers that depend on them.
#[derive(Debug, Clone, Default)]
pub struct ParamBindings {}

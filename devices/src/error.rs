//! Errors of device setup. Devices never panic on parameter input: they return these.

/// Error building a device model or instance.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    /// A parameter name the model does not know.
    #[error("model {model}: unknown parameter '{param}'")]
    UnknownParameter {
        /// Model (or source) name.
        model: String,
        /// The offending parameter, lower case.
        param: String,
    },
    /// A parameter whose value cannot be used (for example PHI <= 0, W <= 0, NaN).
    #[error("model {model}: invalid value {value} for parameter '{param}': {reason}")]
    InvalidValue {
        /// Model, instance or source name.
        model: String,
        /// The parameter.
        param: String,
        /// Its value.
        value: f64,
        /// Why it is rejected.
        reason: String,
    },
}

impl DeviceError {
    pub(crate) fn invalid(model: &str, param: &str, value: f64, reason: &str) -> Self {
        DeviceError::InvalidValue {
            model: model.to_string(),
            param: param.to_string(),
            value,
            reason: reason.to_string(),
        }
    }
}

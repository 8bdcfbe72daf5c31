//! Parameter-list helper shared by the device models.

use crate::DeviceError;

/// Looks up `params` against a table of accepted names. `table[i]` lists the aliases of slot
/// `i`; the result holds `Some(value)` for the slots given. Unknown names and non-finite
/// values are errors naming the model. A later duplicate overrides an earlier one, as in SPICE.
pub(crate) fn collect(
    model: &str,
    params: &[(String, f64)],
    table: &[&[&str]],
) -> Result<Vec<Option<f64>>, DeviceError> {
    let mut out = vec![None; table.len()];
    for (name, value) in params {
        let lname = name.to_ascii_lowercase();
        let slot = table
            .iter()
            .position(|aliases| aliases.iter().any(|a| *a == lname))
            .ok_or_else(|| DeviceError::UnknownParameter { model: model.to_string(), param: lname.clone() })?;
        if !value.is_finite() {
            return Err(DeviceError::invalid(model, &lname, *value, "not a finite number"));
        }
        out[slot] = Some(*value);
    }
    Ok(out)
}

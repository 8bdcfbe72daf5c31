//! `insitu optimize --algo bagnet`: grid parameters in the problem file (values, step, the
//! derived grid), their errors, and a killed BagNet run resuming to the uninterrupted result.

mod common;

use insitu::sizing::problem::{ProblemFile, DERIVED_GRID_POINTS};
use insitu::sizing::History;
use std::path::Path;

fn problem_with(params: &str) -> String {
    format!(
        r#"{{"optimization": {{
  "testbench": {{"deck": "tb.cir", "pdk": "generic180"}},
  "parameters": [{params}],
  "specs": {{"g": {{"min": 1}}}},
  "measurements": {{"g": {{"expr": "v(out)"}}}},
  "corners": {{"phase1": [{{"model": "tt", "temp": 27}}]}}}}}}"#
    )
}

fn parse(params: &str) -> Result<ProblemFile, String> {
    ProblemFile::from_json(&problem_with(params), "p.json").map_err(|e| e.to_string())
}

#[test]
fn grids_from_values_step_or_the_range() {
    let p = parse(
        r#"{"name": "a", "type": "param", "range": [1, 5], "init": 2, "values": [1, 2, 4.5]},
           {"name": "b", "type": "param", "range": [1e-6, 4e-6], "init": 2e-6, "step": 1e-6},
           {"name": "c", "type": "param", "range": [1e-12, 1e-9], "init": 1e-11},
           {"name": "d", "type": "param", "range": [-1, 1], "init": 0}"#,
    )
    .unwrap();
    let g: Vec<Vec<f64>> = p.optimization.parameters.iter().map(|q| q.grid()).collect();
    assert_eq!(g[0], vec![1.0, 2.0, 4.5]);
    // The step includes the upper end despite rounding (3 steps of 1e-6 from 1e-6).
    assert_eq!(g[1].len(), 4);
    assert!((g[1][3] - 4e-6).abs() < 1e-18, "{:?}", g[1]);
    // A positive range over a factor >= 10: log-spaced, ends exact, constant ratio.
    assert_eq!(g[2].len(), DERIVED_GRID_POINTS);
    assert_eq!((g[2][0], *g[2].last().unwrap()), (1e-12, 1e-9));
    let r0 = g[2][1] / g[2][0];
    for w in g[2].windows(2) {
        assert!((w[1] / w[0] / r0 - 1.0).abs() < 1e-9);
    }
    assert!((r0 - 1000f64.powf(1.0 / (DERIVED_GRID_POINTS - 1) as f64)).abs() < 1e-9);
    // Otherwise evenly spaced.
    let d = &g[3];
    assert_eq!((d[0], *d.last().unwrap()), (-1.0, 1.0));
    let step = 2.0 / (DERIVED_GRID_POINTS - 1) as f64;
    assert!(d.windows(2).all(|w| (w[1] - w[0] - step).abs() < 1e-12));
}

#[test]
fn grid_errors_name_the_field() {
    let cases = [
        (r#""values": [1, 3, 2]"#, "parameters[0] (a).values", "must increase"),
        (r#""values": [1, 7]"#, "parameters[0] (a).values", "outside the range"),
        (r#""values": []"#, "parameters[0] (a).values", "non-empty"),
        (r#""step": 0"#, "parameters[0] (a).step", "positive step"),
        (r#""step": -1"#, "parameters[0] (a).step", "positive step"),
        (r#""step": 1e-9"#, "parameters[0] (a).step", "more than 1e6"),
        (r#""values": [1, 2], "step": 1"#, "parameters[0] (a).step", "either values or step"),
        (r#""values": "x""#, "line", "invalid type"),
    ];
    for (extra, field, msg) in cases {
        let e = parse(&format!(r#"{{"name": "a", "type": "param", "range": [1, 5], "init": 2, {extra}}}"#))
            .expect_err(extra);
        assert!(e.contains(field) && e.contains(msg), "{extra}: {e}");
    }
}

fn same(a: &History, b: &History) {
    assert_eq!(a.history.len(), b.history.len());
    for (x, y) in a.history.iter().zip(&b.history) {
        assert_eq!(x.detail.x, y.detail.x, "iteration {}", x.iter);
        assert_eq!(x.cost.to_bits(), y.cost.to_bits(), "iteration {}", x.iter);
        assert_eq!(x.strategy, y.strategy);
    }
    assert_eq!(a.meta.status, b.meta.status);
    assert!(a.optimizer.same_trajectory(&b.optimizer));
    // The agent's state (network, critical specs, query counts) matches, timings aside.
    let strip = |h: &History| {
        let mut v = h.optimizer.agent.clone().expect("the agent state is in the history");
        v["metrics"]["train_seconds"] = 0.into();
        v["metrics"]["score_seconds"] = 0.into();
        v
    };
    assert_eq!(strip(a), strip(b));
}

#[test]
fn a_killed_bagnet_run_resumes_to_the_uninterrupted_result() {
    let bin = env!("CARGO_BIN_EXE_insitu");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two_stage_bagnet");
    let dir = std::env::temp_dir().join(format!("insitu-bagnet-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(src.join("opamp_tb.cir"), dir.join("opamp_tb.cir")).unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("problem.json")).unwrap()).unwrap();
    v["optimization"]["budget"]["max_iterations"] = 60.into();
    v["optimization"]["algorithm"]["initial_samples"] = 20.into();
    let p = dir.join("problem.json");
    std::fs::write(&p, v.to_string()).unwrap();
    let (full, cut) = (dir.join("full.json"), dir.join("cut.json"));
    let out = std::process::Command::new(bin)
        .args(["optimize", p.to_str().unwrap(), "--algo", "bagnet", "--json", "--history", full.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The metrics: printed and in the JSON.
    assert!(stdout.contains("BagNet:") && stdout.contains("NN queries"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let b = &json["bagnet"];
    let whole = History::load(&full).unwrap();
    assert_eq!(b["simulations"].as_u64().unwrap() as usize, whole.history.len());
    assert!(b["nn_queries"].as_u64().unwrap() >= (whole.history.len() - 20) as u64);
    assert!(b["train_seconds"].as_f64().unwrap() > 0.0);
    let acc = b["filter_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(b["cost_trace"].as_array().unwrap().len(), whole.optimizer.steps.len());
    // Every candidate is on the declared grid (1 um steps, 0.1 pF steps).
    for e in &whole.history {
        for (k, x) in e.detail.x.iter().enumerate() {
            let unit = if k == 5 { 0.1e-12 } else { 1e-6 };
            assert!((x / unit - (x / unit).round()).abs() < 1e-6, "{x} is off the grid");
        }
    }
    // Kill a second run once it has written 35 iterations, then resume it.
    let (partial, resumed) = common::kill_and_resume(
        bin,
        &["optimize", p.to_str().unwrap(), "--algo", "bagnet", "--history", cut.to_str().unwrap()],
        &p,
        &cut,
        35,
    );
    assert!(partial < whole.history.len(), "killed after the run had finished");
    same(&whole, &resumed);
    std::fs::remove_dir_all(&dir).ok();
}

//! Errors of measurements: bad `.meas` cards and expressions name file:line:col (or the
//! column of a problem-file expression), unknown vectors are named, and a measure with nothing
//! to find is a named "not found" result, never 0 or NaN.

use insitu_netlist::{elaborate, parse_str, ElabOptions, MemLoader};
use insitu_solver::measure::{describe_failure, run_measures, Expr, MeasureError, Results};
use insitu_solver::Simulator;

const RC: &str = "rc\nV1 in 0 DC 0 AC 1 PULSE(0 1 1u 1n 1n 5u 10u)\nR1 in out 1k\nC1 out 0 1n\n";

fn parse_err(cards: &str) -> String {
    let text = format!("{RC}.tran 10n 20u\n{cards}\n.end\n");
    parse_str(&text, "rc.cir".as_ref(), &MemLoader::new()).unwrap_err().to_string()
}

#[test]
fn bad_meas_cards_fail_with_file_line_col() {
    let e = parse_err(".meas tran d1 FIND v(out) AT=abc");
    assert!(e.starts_with("rc.cir:6:30: expected a number after AT="), "{e}");
    let e = parse_err(".meas tran d1 TRIG v(in) VAL=0.5 TARG v(out) VAL=0.5 RISE=1");
    assert!(e.starts_with("rc.cir:6:20: TRIG needs RISE=, FALL=, CROSS= or AT="), "{e}");
    let e = parse_err(".meas trans d1 MAX v(out)");
    assert!(e.starts_with("rc.cir:6:7: expected an analysis"), "{e}");
    let e = parse_err(".meas tran d1 WHEN v(out)=0.5 RISE=0");
    assert!(e.starts_with("rc.cir:6:36: expected a count of 1 or more, or LAST"), "{e}");
    let e = parse_err(".meas tran d1 MAX v(out) FROM=1u UNTIL=2u");
    assert!(e.starts_with("rc.cir:6:34: expected FROM=, TO= or TD="), "{e}");
    let e = parse_err(".meas tran d1 MAX v(out\n");
    assert!(e.contains("rc.cir:6:") && e.contains("')'"), "{e}");
}

fn results_of(text: &str) -> (Simulator, Vec<insitu_solver::Dataset>, Vec<insitu_netlist::measure::Measure>) {
    let deck = parse_str(text, "rc.cir".as_ref(), &MemLoader::new()).unwrap();
    let ckt = elaborate(&deck, &ElabOptions::default()).unwrap();
    let ms = ckt.measures.clone();
    let mut sim = Simulator::new(ckt).unwrap();
    let data = sim.run_all().unwrap();
    (sim, data, ms)
}

#[test]
fn unknown_vectors_and_nothing_found_are_named() {
    let text = format!(
        "{RC}.tran 10n 20u\n.meas tran a MAX v(outt)\n.meas tran b WHEN v(out)=2\n\
         .meas tran c MAX v(out) FROM=30u TO=40u\n.meas tran d param='a + 1'\n.meas tran e param='b * (2'\n\
         .meas ac f WHEN vdb(out)=-3\n.meas tran g WHEN v(out)=0.5\n.end\n"
    );
    let (sim, data, ms) = results_of(&text);
    let r = run_measures(&ms, &Results::new(&data, Some(&sim)));
    let get = |n: &str| r.iter().find(|(m, _)| m == n).unwrap().1.clone();
    assert_eq!(get("a"), Err(MeasureError::UnknownVector { name: "v(outt)".into() }));
    assert!(matches!(get("b"), Err(MeasureError::NotFound { .. })));
    assert!(matches!(get("c"), Err(MeasureError::NotFound { ref what }) if what.contains("window")));
    // A param over a failed measure fails by naming it.
    assert_eq!(get("d"), Err(MeasureError::UnknownVector { name: "a".into() }));
    // the end of `b * (2`, inside the quotes
    assert_eq!(get("e"), Err(MeasureError::Invalid { what: "rc.cir:10:27: expected ')'".into() }));
    assert!(matches!(get("f"), Err(MeasureError::MissingAnalysis { .. })));
    assert!(get("g").is_ok());
    let line = describe_failure(&ms[0], &get("a").unwrap_err());
    assert_eq!(line, "rc.cir:6:18: measure 'a' failed: unknown vector 'v(outt)'");
    assert!(r.iter().all(|(_, v)| v.as_ref().map_or(true, |x| x.is_finite())));
}

#[test]
fn expressions_fail_with_columns_and_names() {
    let cases = [
        ("value(dB20(VF(\"/OUT\")) 1", 25, "expected ')'"),
        ("slewRate(VT(\"/OUT\")) / ", 24, "expected a value"),
        ("cross(v(out), 0, 1, sideways)", 21, "expected rising, falling or either"),
        ("phase_margin(vt(out))", 14, "phase_margin() needs ac results, not tran"),
        ("value(v(out))", 1, "value() takes a waveform and 1 more"),
        ("@m1[gmm]", 1, "unknown device quantity 'gmm'"),
        ("2 $ 3", 3, "expected an operator or the end of the expression"),
    ];
    for (text, col, what) in cases {
        let e = Expr::parse(text).unwrap_err();
        assert_eq!(e.col, col, "{text}: {e}");
        assert!(e.expected.starts_with(what), "{text}: {e}");
    }
    let (sim, data, _) = results_of(&format!("{RC}.ac dec 10 1 1g\n.end\n"));
    let r = Results::new(&data, Some(&sim));
    let e = Expr::parse("ugf(v(nope))").unwrap().eval(&r).unwrap_err();
    assert_eq!(e, MeasureError::UnknownVector { name: "v(nope)".into() });
    // An RC low-pass never has gain above 1: no unity-gain crossing.
    let e = Expr::parse("ugf(v(out))").unwrap().eval(&r).unwrap_err();
    assert!(matches!(e, MeasureError::NotFound { .. }), "{e}");
    let e = Expr::parse("slew_rate(v(out))").unwrap().eval(&r).unwrap_err();
    assert_eq!(e, MeasureError::MissingAnalysis { kind: insitu_solver::measure::Kind::Tran });
    let e = Expr::parse("@m9[gm]").unwrap().eval(&r).unwrap_err();
    assert_eq!(e, MeasureError::UnknownDevice { name: "m9".into() });
    let e = Expr::parse("sqrt(-1)").unwrap().eval(&r).unwrap_err();
    assert!(matches!(e, MeasureError::Invalid { .. }), "NaN is an error: {e}");
}

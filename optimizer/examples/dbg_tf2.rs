use insitu_optimizer::testfns::tf2;
use insitu_optimizer::{BoConfig, Trace};
fn main() {
    let p = tf2();
    let rec = Trace::new(BoConfig::new(30, 160, 0)).run(&p);
    for e in rec.evaluations.iter().skip(30) {
        let c = e.constraints.clone().unwrap();
        println!("{:3} x=({:.4},{:.4}) f={:.4} c=({:+.4},{:+.4},{:+.4}) {}", e.index, e.x[0], e.x[1], -e.objective.unwrap(), c[0], c[1], c[2], if e.feasible() {"ok"} else {"VIOL"});
    }
    println!("cv {}", rec.violation_fraction());
}

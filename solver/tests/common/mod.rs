//! Shared helpers for the solver's tests: build a simulator from deck text.

#![allow(dead_code)]

use insitu_netlist::{elaborate, parse_str, Circuit, ElabOptions, MemLoader};
use insitu_solver::Simulator;

pub fn circuit(deck: &str) -> Circuit {
    let parsed = parse_str(deck, "test.cir".as_ref(), &MemLoader::new()).expect("parse");
    elaborate(&parsed, &ElabOptions::default()).expect("elaborate")
}

pub fn sim(deck: &str) -> Simulator {
    Simulator::new(circuit(deck)).expect("compile")
}

/// The two-stage op-amp of `../shared/cases/opamp`, written out so tests need no files.
pub const OPAMP: &str = "two-stage op-amp
.model nmos1 nmos level=1 vto=0.45 kp=280u gamma=0.4 phi=0.8 lambda=0.1
+ tox=4n cgso=0.3n cgdo=0.3n cj=1m mj=0.5 cjsw=0.2n mjsw=0.33 pb=0.8
.model pmos1 pmos level=1 vto=-0.45 kp=70u gamma=0.4 phi=0.8 lambda=0.15
+ tox=4n cgso=0.3n cgdo=0.3n cj=1m mj=0.5 cjsw=0.2n mjsw=0.33 pb=0.8
.param w1=10u
VDD vdd 0 DC 1.8
IBIAS vdd nb DC 20u
M8 nb nb 0 0 nmos1 W=4u L=1u AD=8p AS=8p PD=12u PS=12u
M5 tail nb 0 0 nmos1 W=8u L=1u AD=16p AS=16p PD=20u PS=20u
M1 d1 inm tail 0 nmos1 W={w1} L=1u AD=20p AS=20p PD=24u PS=24u
M2 d2 inp tail 0 nmos1 W={w1} L=1u AD=20p AS=20p PD=24u PS=24u
M3 d1 d1 vdd vdd pmos1 W=10u L=1u AD=20p AS=20p PD=24u PS=24u
M4 d2 d1 vdd vdd pmos1 W=10u L=1u AD=20p AS=20p PD=24u PS=24u
M6 out d2 vdd vdd pmos1 W=100u L=1u AD=200p AS=200p PD=204u PS=204u
M7 out nb 0 0 nmos1 W=40u L=1u AD=80p AS=80p PD=84u PS=84u
RZ d2 cz 1.5k
CC cz out 2.5p
CL out 0 10p
VINP inp 0 DC 0.9 AC 1
LFB out inm 1G
CFB inm 0 1G
.op
.ac dec 20 1 1G
.end
";

//! The `insitu` command line.

fn main() {
    println!("insitu {}", env!("CARGO_PKG_VERSION"));
}

//! Built-in generic process libraries with corners, and gm/Id lookup tables.

"""Claims (理赔): compensation for a lost, damaged, delayed or short parcel, filed on a complaint."""

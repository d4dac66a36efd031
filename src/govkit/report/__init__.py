"""Reports people look at: self-contained static HTML for one audit and for a fleet folder."""

